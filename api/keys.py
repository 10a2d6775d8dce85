"""Making, checking and revoking API keys; the plain key exists only once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from api.models import ApiKey

# How stale `last_used_at` may get: one write a minute per key at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    name: str, scope: str = ApiKey.Scope.READ, *, channel_id: int | None = None
) -> tuple[ApiKey, str]:
    """A new key (of a sales channel, if given): the row, and the plain key
    to show once (never stored)."""
    if scope not in ApiKey.Scope.values:
        raise ValueError(f"scope must be one of {ApiKey.Scope.values}")
    prefix = secrets.token_hex(4)
    plain = f"sk_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        hashed=_digest(plain),
        scope=scope,
        channel_id=channel_id,
    )
    return api_key, plain


def authenticate(plain: str) -> ApiKey | None:
    """The active key `plain` is, or None; compared in constant time."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != "sk":
        return None
    api_key = ApiKey.objects.filter(prefix=parts[1]).first()
    # Compare even when no row matched, so timing tells nothing either way.
    expected = api_key.hashed if api_key is not None else _digest("")
    if not hmac.compare_digest(expected, _digest(plain)) or api_key is None:
        return None
    if not api_key.is_active:
        return None
    _touch(api_key)
    return api_key


def revoke(api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    last = api_key.last_used_at
    if last is None or now - last >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
