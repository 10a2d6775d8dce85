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
from api.v1.ratelimit import buckets


class Forbidden(Exception):
    """A valid key without the scope this route needs."""


class ApiKeyAuth(HttpBearer):
    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> ApiKey | None:
        # Not HttpBearer's own: that one logs the header in DEBUG.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = authenticate(token)
        if api_key is None:
            return None
        if not api_key.allows(self.scope):
            raise Forbidden(
                f"This API key has the {str(api_key.scope)!r} scope; "
                f"this needs {str(self.scope)!r}."
            )
        buckets.take(api_key.pk)
        return api_key


read = ApiKeyAuth(ApiKey.Scope.READ)
sell = ApiKeyAuth(ApiKey.Scope.SELL)
