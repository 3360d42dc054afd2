#!/usr/bin/env bash
# Submits a drsim run as a Slurm job array of N shards plus a merge job that starts
# once every shard succeeded (--dependency=afterok). Prints the two job ids.
# Usage: scripts/slurm/submit.sh N SCENARIO TRIALS OUTDIR [SEED [BLOCK]] (extra sbatch
# options in SBATCH_OPTS, e.g. SBATCH_OPTS="--partition=short --cpus-per-task=4").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=$1 scenario=$2 trials=$3 outdir=$4 seed=${5:-1} block=${6:-100}
mkdir -p "$outdir"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_OPTS:-} --array=0-$((n - 1)) "$here/drsim-array.sbatch" "$scenario" "$trials" "$outdir" "$seed" "$block")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --dependency=afterok:"$array" "$here/drsim-merge.sbatch" "$scenario" "$outdir")
echo "$array $merge"
