"""The scenarios, in the order `make bench` runs them."""

from bench.scenarios import (
    contention,
    expiry,
    fanout,
    idle,
    memory,
    onsale,
    queue,
    statements,
    storm,
    sweep,
)

SCENARIOS = [
    fanout,
    expiry,
    contention,
    onsale,
    sweep,
    statements,
    idle,
    memory,
    storm,
    queue,
]
