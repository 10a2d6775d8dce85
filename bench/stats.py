"""Summaries of timing samples: nearest-rank percentiles, in milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of non-empty `samples`."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples: Sequence[float]) -> dict:
    """count, p50, p99, max and mean of samples given in seconds, as ms."""
    if not samples:
        return {
            "count": 0,
            "p50_ms": None,
            "p99_ms": None,
            "max_ms": None,
            "mean_ms": None,
        }
    return {
        "count": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000, 3),
        "p99_ms": round(percentile(samples, 99) * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
        "mean_ms": round(sum(samples) / len(samples) * 1000, 3),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)
