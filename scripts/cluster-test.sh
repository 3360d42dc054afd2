#!/usr/bin/env bash
# The cluster recipes on the real engines (no mocks): starts a one-node Slurm on
# localhost (munged, slurmctld, slurmd, all under a temporary directory), submits the
# shipped job array (scripts/slurm/submit.sh: 4 shards + a merge job depending on them
# with afterok) and checks the merged results.json against a single-process run, byte
# for byte apart from "timing"; then `mpirun -n 2` with --shard auto + drsim merge,
# with --mpi (also interrupted by SIGTERM and resumed from its per-rank checkpoints), and
# with --mpi --target-rel-ci. The daemons it started are stopped by
# their pid files on every exit (trap), failure included.
# Usage: scripts/cluster-test.sh [BUILD_DIR]   (as root; scripts/setup.sh installs Slurm, munge, OpenMPI)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
build=$(cd "${1:-build}" && pwd)
drsim="$build/drsim"
if [ "$(id -u)" -ne 0 ]; then
  echo "cluster-test: SKIPPED: needs root (a private slurmctld/slurmd with SlurmUser=root)" >&2
  exit 0
fi
for tool in munged slurmctld slurmd sbatch sinfo mpirun; do
  command -v "$tool" >/dev/null || { echo "cluster-test: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done
tmp=$(mktemp -d /tmp/drsim-cluster.XXXXXX)
chmod 755 "$tmp"
stop_daemons() {
  for p in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munged.pid"; do
    if [ -s "$p" ]; then kill "$(cat "$p")" 2>/dev/null || true; fi
  done
  sleep 1
  for p in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munged.pid"; do
    if [ -s "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; then kill -9 "$(cat "$p")" 2>/dev/null || true; fi
  done
}
fail() {
  echo "cluster-test: FAILED: $*" >&2
  for f in "$tmp"/*.log "$tmp"/out/*.log; do [ -e "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}
trap 'stop_daemons; rm -rf "$tmp"' EXIT

scenario="$repo/scenarios/designs/two-site-baseline.json"
# results.json without its "timing" object: everything else must be the same bytes.
same_but_timing() {
  python3 - "$1" "$2" <<'PY' || fail "$1 and $2 differ beyond timing"
import re, sys
def strip(p):
    t = open(p).read()
    s = re.sub(r'\n  "timing": \{[^{}]*\},?', '', t)
    assert s != t, p + ": no timing block"
    return s.replace(',\n}', '\n}')
a, b = strip(sys.argv[1]), strip(sys.argv[2])
sys.exit(0 if a == b else 1)
PY
  echo "cluster-test: $(basename "$2") equals $(basename "$1") apart from timing"
}

# ---- a one-node Slurm on localhost ----
host=$(hostname -s)
cpus=$(nproc)
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/out"
munged --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" --pid-file="$tmp/munged.pid" \
  --log-file="$tmp/munged.log" --seed-file="$tmp/munge.seed" || fail "munged did not start"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=drsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -c -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N "$host" || fail "slurmd did not start"
for _ in $(seq 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "the node is not idle after 60 s (sinfo: ${state:-nothing})"
echo "cluster-test: Slurm up on $host ($cpus CPUs)"

# ---- the shipped job array and its merge job ----
trials=20000 seed=7
"$drsim" run "$scenario" --trials $trials --seed $seed -q --out "$tmp/single.json"
cd "$tmp/out"
read -r array merge < <(DRSIM="$drsim" "$repo/scripts/slurm/submit.sh" 4 "$scenario" $trials "$tmp/out" $seed)
echo "cluster-test: submitted array $array and merge $merge"
for _ in $(seq 300); do
  left=$(squeue -h -j "$array,$merge" 2>/dev/null | wc -l)
  [ "$left" -eq 0 ] && break
  sleep 1
done
[ "$left" -eq 0 ] || fail "jobs still queued after 300 s"
for i in 0 1 2 3; do [ -e "$tmp/out/shard-$i.json" ] || fail "array task $i wrote no shard"; done
[ -e "$tmp/out/results.json" ] || fail "the merge job wrote no results.json"
same_but_timing "$tmp/single.json" "$tmp/out/results.json"
cd "$tmp"

# ---- mpirun -n 2 ----
mpi=(mpirun -n 2 --oversubscribe --allow-run-as-root)
"${mpi[@]}" "$drsim" run "$scenario" --trials $trials --seed $seed -q --shard auto --out "$tmp/mpi-shard-%r.json" ||
  fail "mpirun --shard auto"
"$drsim" merge "$scenario" "$tmp"/mpi-shard-*.json -q --out "$tmp/mpi-merged.json"
same_but_timing "$tmp/single.json" "$tmp/mpi-merged.json"
if ! ldd "$drsim" | grep libmpi >/dev/null; then  # (no -q: with pipefail, ldd would die of SIGPIPE)
  echo "cluster-test: this drsim was built without MPI: --mpi checks skipped" >&2
else
  "${mpi[@]}" "$drsim" run "$scenario" --trials $trials --seed $seed -q --mpi --out "$tmp/mpi-fixed.json" || fail "mpirun --mpi"
  same_but_timing "$tmp/single.json" "$tmp/mpi-fixed.json"
  # --mpi with a checkpoint per rank: SIGTERM to mpirun once both ranks have written
  # theirs, then --resume with as many ranks: the uninterrupted result, checkpoints gone.
  long=600000
  "$drsim" run "$scenario" --trials $long --seed $seed -q --out "$tmp/single-long.json"
  "${mpi[@]}" "$drsim" run "$scenario" --trials $long --seed $seed -q --jobs 1 --mpi --checkpoint-interval 0 \
    --checkpoint "$tmp/mpi-ck-%r.json" --out "$tmp/mpi-long.json" 2>"$tmp/mpi-interrupted.log" &
  pid=$!
  for _ in $(seq 100); do
    [ -s "$tmp/mpi-ck-0.json" ] && [ -s "$tmp/mpi-ck-1.json" ] && break
    sleep 0.1
  done
  kill -TERM $pid 2>/dev/null || true
  wait $pid || true
  if [ -e "$tmp/mpi-long.json" ]; then
    echo "cluster-test: the run ended before SIGTERM; the resume below continues a finished run" >&2
    rm -f "$tmp/mpi-long.json"
  fi
  [ -s "$tmp/mpi-ck-0.json" ] && [ -s "$tmp/mpi-ck-1.json" ] || fail "mpirun --mpi --checkpoint: no checkpoint per rank after SIGTERM"
  "${mpi[@]}" "$drsim" run "$scenario" --trials $long --seed $seed -q --jobs 1 --mpi --checkpoint "$tmp/mpi-ck-%r.json" --resume \
    --out "$tmp/mpi-long.json" || fail "mpirun --mpi --resume"
  same_but_timing "$tmp/single-long.json" "$tmp/mpi-long.json"
  [ ! -e "$tmp/mpi-ck-0.json" ] && [ ! -e "$tmp/mpi-ck-1.json" ] || fail "mpirun --mpi: checkpoints left after the results were written"
  "$drsim" run "$scenario" --target-rel-ci 0.05 --seed $seed -q --out "$tmp/single-ci.json"
  "${mpi[@]}" "$drsim" run "$scenario" --target-rel-ci 0.05 --seed $seed -q --mpi --out "$tmp/mpi-ci.json" ||
    fail "mpirun --mpi --target-rel-ci"
  same_but_timing "$tmp/single-ci.json" "$tmp/mpi-ci.json"
fi
echo "cluster-test: passed"
