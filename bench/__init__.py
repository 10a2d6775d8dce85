"""Benchmarks of the seat service: `python -m bench.run` (see BENCHMARKS.md)."""
