"""Benchmarks of the seat service: `python -m bench.run` (see BENCHMARKS.md).

Servers are started and driven through devtools (processes, databases, the
WebSocket client); the few project internals used are all in bench.internals.
"""
