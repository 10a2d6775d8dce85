"""The scenarios, in the order `make bench` runs them."""

from bench.scenarios import (
    contention,
    expiry,
    fanout,
    idle,
    memory,
    statements,
    sweep,
)

SCENARIOS = [fanout, expiry, contention, sweep, statements, idle, memory]
