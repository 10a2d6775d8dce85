"""Requests per API key: a token bucket per key, shared by every worker.

With Redis configured (SEAT_SHARED_LIMITS_URL, by default the first
REDIS_URL), each key's bucket lives there and every worker of the cluster
spends from the same one: a key gets its rate, not N workers times it. The
bucket is one Lua script, atomic in Redis and timed by Redis's own clock,
so workers whose clocks differ agree. If Redis does not answer, each
worker falls back to a bucket of its own (logged) rather than refusing
every request or letting them all through: the embedded default, with no
Redis, always works that way.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import cache

import redis
from django.conf import settings

from seats.errors import RateLimited

logger = logging.getLogger(__name__)

# KEYS[1]: the bucket; ARGV: rate per second, burst. Returns the seconds to
# wait as a string ("0": a token was taken).
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""

# Seconds a worker waits for Redis before it counts on its own bucket.
REDIS_TIMEOUT = 0.5
# At most one warning per this many seconds while Redis is away.
WARN_EVERY = 30.0


class KeyBuckets:
    """Each key's bucket in this process only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key id -> (tokens, last refill on the monotonic clock)
        self._buckets: dict[int, tuple[float, float]] = {}

    def take(self, key_id: int, rate: float, burst: float) -> None:
        """Spend one token of the key's bucket, or raise RateLimited."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < 1:
                self._buckets[key_id] = (tokens, now)
                raise RateLimited(retry_after=(1 - tokens) / rate)
            self._buckets[key_id] = (tokens - 1, now)


class SharedBuckets:
    """Each key's bucket in Redis, the same for every worker."""

    def __init__(self, url: str, prefix: str) -> None:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        self._take = client.register_script(TAKE)
        self.prefix = prefix
        self._warned_at = -WARN_EVERY

    def take(self, key_id: int, rate: float, burst: float) -> None:
        """Spend one token, or raise RateLimited; OSError-like if Redis fails."""
        wait = float(
            self._take(keys=[f"{self.prefix}:api-key:{key_id}"], args=[rate, burst])
        )
        if wait > 0:
            raise RateLimited(retry_after=wait)

    def warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "API rate limits are per worker for now: Redis did not answer (%s)",
                error,
            )


local = KeyBuckets()


@cache
def _shared(url: str, prefix: str) -> SharedBuckets:
    return SharedBuckets(url, prefix)


def take(key_id: int) -> None:
    """Spend one of the key's requests, or raise RateLimited (429)."""
    rate = settings.SEAT_API_REQUESTS_PER_SECOND
    if rate <= 0:
        return
    burst = max(1.0, settings.SEAT_API_REQUEST_BURST)
    url = settings.SEAT_SHARED_LIMITS_URL
    if url:
        shared = _shared(url, settings.SEAT_SHARED_LIMITS_PREFIX)
        try:
            return shared.take(key_id, rate, burst)
        except redis.RedisError as error:
            shared.warn(error)
    local.take(key_id, rate, burst)
