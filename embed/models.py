"""Publishable keys: what lets a shop's own page embed our live seat map.

A publishable key (`pk_…`) is public by design: it sits in the shop's
HTML. It is stored in clear and shown in the admin. Its power is bounded
by the origins it lists (only pages of those origins may use it, as the
browser's `Origin` header says) and the events it is issued for (none
listed: every event); it can read and hold, never book.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models

from seats.models import Event
from wire.origins import Origin, parse_origin

PREFIX = "pk_"
# The longest key text worth looking up (ours are 27 characters).
MAX_KEY_CHARS = 64


def new_key_text() -> str:
    return PREFIX + secrets.token_urlsafe(18)


def parse_origins(entries: object) -> list[Origin]:
    """The origins of a key's list; ValidationError naming the first bad one."""
    if not isinstance(entries, list) or not entries:
        raise ValidationError("List at least one origin, like https://shop.example.")
    found = []
    for entry in entries:
        origin = parse_origin(entry) if isinstance(entry, str) else None
        if origin is None:
            raise ValidationError(
                f"{entry!r} is not an origin of the form scheme://host[:port] "
                "(http or https, no path, no trailing slash)."
            )
        found.append(origin)
    return found


def validate_origins(value: object) -> None:
    parse_origins(value)


class PublishableKey(models.Model):
    """A shop's public key for the embedded seat map (module doc)."""

    name = models.CharField(max_length=100)
    key = models.CharField(
        max_length=MAX_KEY_CHARS, unique=True, default=new_key_text, editable=False
    )
    origins = models.JSONField(
        validators=[validate_origins],
        help_text="The web origins whose pages may use this key, exactly "
        "(scheme://host[:port]).",
    )
    events = models.ManyToManyField(
        Event,
        blank=True,
        related_name="publishable_keys",
        help_text="None chosen: every event.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "publishable key"

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows_origin(self, origin_text: str | None) -> bool:
        """Whether a page of `origin_text` may use the key: an exact match
        of scheme, host and port (default ports made explicit)."""
        origin = parse_origin(origin_text) if origin_text else None
        if origin is None:
            return False
        listed = self.origins if isinstance(self.origins, list) else []
        return any(
            isinstance(entry, str) and parse_origin(entry) == origin for entry in listed
        )

    def issued_event_ids(self) -> frozenset[int]:
        """The events the key is issued for; empty: every event."""
        return frozenset(self.events.values_list("id", flat=True))

    def allows_event(self, event_id: int) -> bool:
        """Whether the key is issued for the event (no events listed: all)."""
        issued = self.issued_event_ids()
        return not issued or event_id in issued
