"""`Authorization: Bearer <key>`: who is calling, and may they do this.

Missing, wrong or revoked keys get 401 (the same answer for each, so a
caller learns nothing about which keys exist); a read key on a selling
route gets 403. The header is never logged.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from api.keys import authenticate
from api.models import ApiKey
from api.v1 import ratelimit


class Forbidden(Exception):
    """A valid key without the scope this route needs."""


class ApiKeyAuth(HttpBearer):
    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        # Not HttpBearer's own: that one logs the header in DEBUG.
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

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        # HttpBearer's abstract hook; __call__ does the work (request_key
        # reads the header itself).
        return self(request)


def request_key(request: HttpRequest) -> ApiKey | None:
    """The active key of `Authorization: Bearer <key>`, looked up once per request.

    The Idempotency-Key wrapper and the route's auth both ask; the answer
    is kept on the request, so the key is read (and its last use written)
    once.
    """
    if not hasattr(request, "_seats_api_key"):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        found = None
        if scheme.lower() == "bearer" and token.strip():
            found = authenticate(token.strip())
        request._seats_api_key = found  # type: ignore[attr-defined]
    key: ApiKey | None = request._seats_api_key  # type: ignore[attr-defined]
    return key


read = ApiKeyAuth(ApiKey.Scope.READ)
sell = ApiKeyAuth(ApiKey.Scope.SELL)


def key_channels(request: HttpRequest) -> tuple[int, ...]:
    """The sales channels whose kept seats the calling key may hold: the
    server's own record of the key, never a field of the request."""
    api_key = request_key(request)
    return api_key.channels if api_key is not None else ()
