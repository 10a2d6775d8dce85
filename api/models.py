"""API keys and the answers kept for Idempotency-Key replays."""

from __future__ import annotations

from django.db import models

from seats.models import SalesChannel


class ApiKey(models.Model):
    """A shop's credential. Only a hash is stored; the key is shown once.

    Keys are `sk_<prefix>_<secret>`: the prefix finds the row (and names the
    key in the admin and the logs), the SHA-256 of the whole key proves it.
    A fast hash is enough: the secret is 32 random bytes, not a password.
    """

    class Scope(models.TextChoices):
        READ = "read", "read: events, seat maps, holds and bookings"
        SELL = "sell", "sell: read, and hold, book and cancel"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=4, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Updated at most once a minute per key, not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A partner's key: its holds may take the seats this channel keeps
    # (docs/integration.md, "Keys of a sales channel"). Other keys sell
    # only what is on general sale.
    channel = models.ForeignKey(
        SalesChannel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} (sk_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope == self.Scope.READ or self.scope == self.Scope.SELL

    @property
    def channels(self) -> tuple[int, ...]:
        """The sales channels this key's holds may take seats of."""
        return (self.channel_id,) if self.channel_id is not None else ()


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, per API key.

    Written before the request runs (`status` 0 while it runs), so a retry
    that arrives meanwhile is told to wait instead of running it twice.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request
    # is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key"], name="idempotency_key_per_api_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'running'})"
