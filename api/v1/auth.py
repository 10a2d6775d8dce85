"""`Authorization: Bearer <key>`: who is calling, and may they do this.

Missing, wrong or revoked keys get 401 (the same answer for each, so a
caller learns nothing about which keys exist); a read key on a selling
route gets 403. The header is never logged.

A publishable key (`pk_…`, embed/) is public: it sits in a shop's page.
It may read events and their seat maps only, of the events it is issued
for (others are 404 like unknown ones: `event_allowed`); anything else,
writes above all, is 403 with the code `publishable_key`. An unknown or
revoked one is 401 like a bad secret key.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from api.keys import authenticate
from api.models import ApiKey
from api.v1 import ratelimit
from api.v1.problems import FORBIDDEN, PUBLISHABLE_KEY
from embed import access as embed_access
from embed.models import PREFIX as PUBLISHABLE_PREFIX
from embed.models import PublishableKey

PUBLISHABLE_ONLY_READS = (
    "A publishable key can only read; use a secret key (sk_) from your "
    "backend for this."
)


class Forbidden(Exception):
    """A valid key without the scope this route needs."""

    def __init__(self, message: str, code: str = FORBIDDEN) -> None:
        super().__init__(message)
        self.code = code


class ApiKeyAuth(HttpBearer):
    def __init__(self, scope: str, *, publishable: bool = False) -> None:
        super().__init__()
        self.scope = scope
        # Whether a publishable key may use the route (event reads only).
        self.publishable = publishable

    def __call__(self, request: HttpRequest) -> ApiKey | PublishableKey | None:
        # Not HttpBearer's own: that one logs the header in DEBUG.
        token = _bearer(request)
        if token.startswith(PUBLISHABLE_PREFIX):
            return self._publishable(request, token)
        api_key = request_key(request)
        if api_key is None:
            return None
        if not api_key.allows(self.scope):
            raise Forbidden(
                f"This API key has the {str(api_key.scope)!r} scope; "
                f"this needs {str(self.scope)!r}."
            )
        ratelimit.take(api_key.pk)
        return api_key

    def _publishable(self, request: HttpRequest, token: str) -> PublishableKey | None:
        found = request_publishable_key(request, token)
        if found is None:
            return None
        if not self.publishable:
            raise Forbidden(PUBLISHABLE_ONLY_READS, PUBLISHABLE_KEY)
        # Their own buckets: negative ids never meet a secret key's.
        ratelimit.take(-found.pk)
        return found

    def authenticate(
        self, request: HttpRequest, token: str
    ) -> ApiKey | PublishableKey | None:
        # HttpBearer's abstract hook; __call__ does the work (request_key
        # reads the header itself).
        return self(request)


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def request_publishable_key(request: HttpRequest, token: str) -> PublishableKey | None:
    """The active publishable key `token` is, looked up once per request."""
    if not hasattr(request, "_seats_publishable_key"):
        found = embed_access.active_key(token)
        request._seats_publishable_key = found  # type: ignore[attr-defined]
    key: PublishableKey | None = request._seats_publishable_key  # type: ignore[attr-defined]
    return key


def issued_events(request: HttpRequest) -> frozenset[int] | None:
    """The events a publishable caller is limited to; None: no limit."""
    caller = request.auth  # type: ignore[attr-defined]
    if not isinstance(caller, PublishableKey):
        return None
    return caller.issued_event_ids() or None


def event_allowed(request: HttpRequest, event_id: int) -> bool:
    """Whether the caller may see the event: any secret key may; a
    publishable key only the events it is issued for."""
    caller = request.auth  # type: ignore[attr-defined]
    return not isinstance(caller, PublishableKey) or caller.allows_event(event_id)


def request_key(request: HttpRequest) -> ApiKey | None:
    """The active key of `Authorization: Bearer <key>`, looked up once per request.

    The Idempotency-Key wrapper and the route's auth both ask; the answer
    is kept on the request, so the key is read (and its last use written)
    once.
    """
    if not hasattr(request, "_seats_api_key"):
        token = _bearer(request)
        found = authenticate(token) if token else None
        request._seats_api_key = found  # type: ignore[attr-defined]
    key: ApiKey | None = request._seats_api_key  # type: ignore[attr-defined]
    return key


read = ApiKeyAuth(ApiKey.Scope.READ)
sell = ApiKeyAuth(ApiKey.Scope.SELL)
# Events and their seat maps: publishable keys may read these too.
read_events = ApiKeyAuth(ApiKey.Scope.READ, publishable=True)


def key_channels(request: HttpRequest) -> tuple[int, ...]:
    """The sales channels whose kept seats the calling key may hold: the
    server's own record of the key, never a field of the request."""
    api_key = request_key(request)
    return api_key.channels if api_key is not None else ()
