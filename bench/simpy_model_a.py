#!/usr/bin/python3
"""SimPy 3 peer for issue 3's model (a): 5 groups in series, each needing 2 of 3 units,
exponential lifetimes (mean 1,000 h) and repairs (mean 10 h), a crew per unit.
One long run of YEARS years; unavailability by yearly batch means with a 95 % CI.
Prints "simpy-a EVENTS SECONDS EVENTS/S TRIAL-YEARS/S U CI_LO CI_HI PEAK_MIB"."""
import math
import random
import resource
import sys
import time

import simpy

years = float(sys.argv[1]) if len(sys.argv) > 1 else 200
horizon = years * 8760
rng = random.Random(1)
events = 0
down_units = [0] * 5
state = {"down_since": None, "batches": [0.0] * int(years)}


def service_down():
    return any(d >= 2 for d in down_units)


def account(env, was_down):
    now = env.now
    if was_down and not service_down():
        t, end = state["down_since"], now
        while t < end:
            y = int(t // 8760)
            e = min(end, (y + 1) * 8760)
            if y < len(state["batches"]):
                state["batches"][y] += e - t
            t = e
    if not was_down and service_down():
        state["down_since"] = now


def unit(env, g):
    global events
    while True:
        yield env.timeout(rng.expovariate(1 / 1000))
        events += 1
        was = service_down()
        down_units[g] += 1
        account(env, was)
        yield env.timeout(rng.expovariate(1 / 10))
        events += 1
        was = service_down()
        down_units[g] -= 1
        account(env, was)


env = simpy.Environment()
for g in range(5):
    for _ in range(3):
        env.process(unit(env, g))
t0 = time.perf_counter()
env.run(until=horizon)
s = time.perf_counter() - t0
if service_down():
    account(env, True)
xs = [b / 8760 for b in state["batches"]]
n = len(xs)
mean = sum(xs) / n
sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
h = 1.96 * sd / math.sqrt(n)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"simpy-a {events} {s:.3f} {events / s:.0f} {years / s:.1f} {mean:.6e} {mean - h:.6e} {mean + h:.6e} {rss:.1f}")
