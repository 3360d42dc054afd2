#!/usr/bin/python3
"""Monte Carlo benchmark: time to precision, scaling with --jobs, memory vs trials.

Usage (from the repository root, after scripts/build.sh Release):
    /usr/bin/python3 bench/mc_bench.py [--drsim build/drsim] [--quick]

1. Time to precision on the two-site baseline: CPU and wall seconds for `drsim run
   --target-rel-ci 0.01` (95 % CI half-width of mean annual downtime below 1 % of the
   mean) with --jobs 1 and --jobs 2; speed-up = wall(1) / wall(2).
2. Peer, side by side: design.md V2 (two units in parallel, one repair crew, 1-year
   trials) to 1 % relative CI, in drsim and in a SimPy 3 implementation of the same
   model (same trial definition, same stopping rule, one core).
3. Memory: peak RSS of drsim for 10^4 and 10^6 trials of V2 (it must not grow).
Prints a Markdown table for docs/performance.md.
"""
import argparse, json, math, os, platform, random, resource, subprocess, sys, tempfile, time

V2 = """{"drsim": 1, "title": "V2 two units, one crew", "horizon": "1y",
 "components": [
  {"id": "a", "kind": "generic", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h"},
     "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]},
  {"id": "b", "kind": "generic", "failures": [{"id": "hw", "type": "random", "ttf": {"dist": "exponential", "mean": "1000h"},
     "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
 "groups": [{"id": "pair", "members": ["a", "b"], "need": 1, "mode": "active-active", "repair_crews": 1}],
 "service": {"requires": "pair"}}"""


def run(cmd):
    """Runs cmd; returns (wall seconds, child CPU seconds, peak RSS MiB of children so far, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, out


def simpy_v2(rel_ci, seed=1, block=100):
    """V2 in SimPy: one crew repairs failed units first come, first served."""
    import simpy
    lam, mu, horizon = 1e-3, 0.1, 8760.0
    rng = random.Random(seed)
    n = s = ss = 0.0
    while True:
        for _ in range(block):
            env = simpy.Environment()
            crew = simpy.Resource(env, capacity=1)
            state = {"up": 2, "down_since": None, "down": 0.0}

            def unit(env):
                while True:
                    yield env.timeout(rng.expovariate(lam))
                    state["up"] -= 1
                    if state["up"] == 0:
                        state["down_since"] = env.now
                    with crew.request() as req:
                        yield req
                        yield env.timeout(rng.expovariate(mu))
                    if state["up"] == 0:
                        state["down"] += env.now - state["down_since"]
                    state["up"] += 1

            env.process(unit(env))
            env.process(unit(env))
            env.run(until=horizon)
            if state["up"] == 0:
                state["down"] += horizon - state["down_since"]
            x = state["down"]
            n += 1
            s += x
            ss += x * x
        mean = s / n
        if n >= 1000 and mean > 0:
            sd = math.sqrt(max(0.0, (ss - n * mean * mean) / (n - 1)))
            if 1.96 * sd / math.sqrt(n) / mean < rel_ci:
                return int(n), mean * 60


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drsim", default="build/drsim")
    ap.add_argument("--baseline", default="scenarios/designs/two-site-baseline.json")
    ap.add_argument("--quick", action="store_true", help="looser targets, for a smoke run")
    a = ap.parse_args()
    rel = 0.05 if a.quick else 0.01
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"command: /usr/bin/python3 bench/mc_bench.py{' --quick' if a.quick else ''}\n")
    with tempfile.TemporaryDirectory() as tmp:
        v2 = os.path.join(tmp, "v2.json")
        open(v2, "w").write(V2)
        rows = []
        if os.path.exists(a.baseline):
            walls = {}
            for jobs in (1, 2):
                out = os.path.join(tmp, f"b{jobs}.json")
                wall, cpu, _, _ = run([a.drsim, "run", a.baseline, "--target-rel-ci", str(rel), "--max-trials", "100000000",
                                       "--jobs", str(jobs), "-q", "--out", out])
                r = json.load(open(out))
                walls[jobs] = wall
                rows.append((f"baseline, drsim --jobs {jobs}", r["trials"], wall, cpu,
                             f'{r["downtime_minutes"]["mean"]:.4g} min [{r["downtime_minutes"]["ci95"][0]:.4g}, {r["downtime_minutes"]["ci95"][1]:.4g}]'))
            print(f"speed-up --jobs 2 vs 1 on the baseline: {walls[1] / walls[2]:.2f}x\n")
        else:
            print(f"(no {a.baseline}: baseline rows skipped)\n")
        out = os.path.join(tmp, "v2.json.out")
        wall, cpu, _, _ = run([a.drsim, "run", v2, "--target-rel-ci", str(rel), "--max-trials", "100000000", "--jobs", "1", "-q", "--out", out])
        r = json.load(open(out))
        rows.append(("V2, drsim --jobs 1", r["trials"], wall, cpu,
                     f'{r["downtime_minutes"]["mean"]:.4g} min [{r["downtime_minutes"]["ci95"][0]:.4g}, {r["downtime_minutes"]["ci95"][1]:.4g}]'))
        t0 = time.perf_counter()
        c0 = time.process_time()
        n, mean = simpy_v2(rel)
        rows.append(("V2, SimPy 3 (peer)", n, time.perf_counter() - t0, time.process_time() - c0, f"{mean:.4g} min"))
        print(f"time to {rel:.0%} relative 95 % CI half-width on mean downtime per trial-year\n")
        print("| run | trials | wall s | CPU s | mean downtime [95 % CI] |")
        print("|---|---:|---:|---:|---|")
        for name, trials, wall, cpu, est in rows:
            print(f"| {name} | {trials:,} | {wall:.2f} | {cpu:.2f} | {est} |")
        q = 2 * 1e-3**2 / (0.1**2 + 2 * 1e-3 * 0.1 + 2 * 1e-3**2)
        print(f"\nV2 closed form (steady state): {q * 8760 * 60:.4g} min per year\n")
        print("| trials of V2 | peak RSS MiB |")
        print("|---:|---:|")
        for trials in ((10_000, 100_000) if a.quick else (10_000, 1_000_000)):
            # A fresh interpreter per measurement: ru_maxrss of children is a running maximum.
            code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,capture_output=True);"
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)")
            rss = subprocess.run([sys.executable, "-c", code, a.drsim, "run", v2, "--trials", str(trials), "-q", "--jobs", "2"],
                                 check=True, capture_output=True, text=True).stdout.strip()
            print(f"| {trials:,} | {float(rss):.1f} |")


if __name__ == "__main__":
    main()
