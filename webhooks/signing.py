"""Bodies and headers of webhook attempts, signed per Standard Webhooks.

The body of a delivery is the same bytes on every attempt and `webhook-id`
is its `message_id`, so a receiver can deduplicate retries; only
`webhook-timestamp` (and so the signature) changes from one attempt to the
next. Receivers verify with any Standard Webhooks library (docs/webhooks.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from wire import frames

USER_AGENT = "seats-webhooks/1"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The bytes sent (and signed) for `payload`: the wire's one encoder, UTF-8."""
    return frames.dumps(payload).encode()


def attempt_headers(
    *, secret: str, message_id: str, body: bytes, at: datetime
) -> dict[str, str]:
    """The headers of one attempt made at `at`, signature included.

    The signature covers `message_id`, the timestamp in whole seconds (the
    header's value, exactly) and the body.
    """
    seconds = int(at.timestamp())
    signed_at = datetime.fromtimestamp(seconds, UTC)
    signature = Webhook(secret).sign(message_id, signed_at, body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
