"""Rate limits: requests per socket, new sockets per client address.

Token buckets: each request takes one token, tokens come back at `rate` per
second up to `burst`. The defaults are far above what a person clicking a
seat map does, so only floods meet them. Loopback clients (the tests, the
benchmarks, a local proxy without forwarded headers) are exempt from the
limits unless SEAT_LIMIT_LOOPBACK is set; behind a proxy the workers must
trust it (realtime.forwarded) so each client has its own address.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from seats.clients import address_key

Clock = Callable[[], float]


@dataclass
class TokenBucket:
    rate: float
    burst: float
    clock: Clock = time.monotonic
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.updated = self.clock()

    def take(self) -> float:
        """0 if a token was taken; otherwise the seconds until one is free."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else float("inf")


def request_bucket(address: str | None) -> TokenBucket | None:
    """A bucket for one socket's requests, or None when the limit is off."""
    rate = settings.SEAT_REQUESTS_PER_SECOND
    if rate <= 0 or address is None or _exempt(address):
        return None
    return TokenBucket(rate=rate, burst=max(1.0, settings.SEAT_REQUEST_BURST))


class AddressLimiter:
    """New sockets per client address, within one process."""

    # Addresses remembered at most; the oldest idle ones are forgotten first.
    MAX_ADDRESSES = 100_000

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def admit(self, address: str | None) -> float:
        """0 to admit a new socket from `address`, else seconds to wait."""
        per_minute = settings.SEAT_CONNECTIONS_PER_MINUTE
        if per_minute <= 0 or address is None or _exempt(address):
            return 0.0
        bucket = self._buckets.pop(address, None) or TokenBucket(
            rate=per_minute / 60,
            burst=max(1.0, settings.SEAT_CONNECTION_BURST),
            clock=self.clock,
        )
        self._buckets[address] = bucket
        while len(self._buckets) > self.MAX_ADDRESSES:
            self._buckets.popitem(last=False)
        return bucket.take()


def client_key(address: str | None) -> str:
    """Who is behind `address`, as a key that does not store it (seats.clients);
    "" if exempt."""
    if address is None or _exempt(address):
        return ""
    return address_key(address)


def _exempt(address: str) -> bool:
    if settings.SEAT_LIMIT_LOOPBACK:
        return False
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


connections = AddressLimiter()
