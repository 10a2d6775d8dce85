"""The scenarios, in the order `make bench` runs them."""

from bench.scenarios import contention, expiry, fanout, idle, memory, sweep

SCENARIOS = [fanout, expiry, contention, sweep, idle, memory]
