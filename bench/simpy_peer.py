#!/usr/bin/python3
"""SimPy 3 peer of bench/engines_bench.cpp: 20 components, exponential failures (mean
10 h) and repairs (mean 1 h), one process per component, over HORIZON hours.
Prints "simpy EVENTS SECONDS EVENTS_PER_SECOND". Usage: simpy_peer.py [HORIZON]"""
import random
import sys
import time

import simpy

horizon = float(sys.argv[1]) if len(sys.argv) > 1 else 500000.0
rng = random.Random(1)
events = 0


def component(env):
    global events
    while True:
        yield env.timeout(rng.expovariate(1 / 10))
        events += 1
        yield env.timeout(rng.expovariate(1 / 1))
        events += 1


env = simpy.Environment()
for _ in range(20):
    env.process(component(env))
t0 = time.perf_counter()
env.run(until=horizon)
s = time.perf_counter() - t0
print(f"simpy {events} {s:.3f} {events / s:.0f}")
