"""May this page use this key for this event? One decision for every route.

The start endpoint, the embed socket and the REST API ask `resolve` or
`active_key`. The checks go key, then origin, then event, and each refusal
says only what the caller may learn: an event the key is not issued for
is refused exactly like one that does not exist.
"""

from __future__ import annotations

from embed.models import MAX_KEY_CHARS, PREFIX, PublishableKey
from seats.models import Event
from wire.requests import MAX_ID

KEY_INVALID = "key_invalid"
ORIGIN_NOT_ALLOWED = "origin_not_allowed"
EVENT_NOT_FOUND = "event_not_found"


class EmbedRefused(Exception):
    """Refused: the stable `code`, the HTTP `status` and text for people."""

    def __init__(self, code: str, status: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.status = status
        self.detail = detail


def active_key(key_text: str | None) -> PublishableKey | None:
    """The unrevoked key `key_text` names, or None (unknown, revoked, malformed)."""
    if (
        not key_text
        or not key_text.startswith(PREFIX)
        or len(key_text) > MAX_KEY_CHARS
        or "\x00" in key_text
    ):
        return None
    return PublishableKey.objects.filter(key=key_text, revoked_at=None).first()


def resolve(
    key_text: str | None, origin_text: str | None, event_id: int
) -> PublishableKey:
    """The key, if a page of `origin_text` may use it for the event; else
    EmbedRefused (`key_invalid` 401, `origin_not_allowed` 403,
    `event_not_found` 404), checked in that order."""
    key = active_key(key_text)
    if key is None:
        raise EmbedRefused(
            KEY_INVALID, 401, "This publishable key is unknown or revoked."
        )
    if not origin_text or origin_text == "null" or not key.allows_origin(origin_text):
        raise EmbedRefused(
            ORIGIN_NOT_ALLOWED,
            403,
            "This page's origin is not allowed to use this publishable key.",
        )
    if not (
        0 < event_id <= MAX_ID
        and key.allows_event(event_id)
        and Event.objects.filter(pk=event_id).exists()
    ):
        raise EmbedRefused(EVENT_NOT_FOUND, 404, "There is no such event.")
    return key
