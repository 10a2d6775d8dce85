"""Requests per API key: a token bucket per key in each serving process.

Per process, not per cluster: with N workers a key gets up to N times the
rate. That bounds a runaway client cheaply; a hard cluster-wide quota is
the proxy's job (docs/integration.md).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

from seats.errors import RateLimited


class KeyBuckets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key id -> (tokens, last refill on the monotonic clock)
        self._buckets: dict[int, tuple[float, float]] = {}

    def take(self, key_id: int) -> None:
        """Spend one token of the key's bucket, or raise RateLimited."""
        rate = settings.SEAT_API_REQUESTS_PER_SECOND
        burst = max(1.0, settings.SEAT_API_REQUEST_BURST)
        if rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < 1:
                self._buckets[key_id] = (tokens, now)
                raise RateLimited(retry_after=(1 - tokens) / rate)
            self._buckets[key_id] = (tokens - 1, now)


buckets = KeyBuckets()
