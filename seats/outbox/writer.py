"""Writing deliveries in the transaction of the change they tell of.

A rollback takes the rows with it (nothing is sent for a change that did
not happen); a commit makes them the delivery worker's to send, however
soon after the process dies. Endpoints are read fresh in each change: one
small indexed query, and an endpoint switched on or off counts from the
next change on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from seats.models import Booking
from seats.outbox import types
from seats.outbox.messages import BookingMessage, Message, Renderer, SeatsMessage
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from seats.signals import SeatGroup
from seats.sql import prepared_cursor

# Set after a commit that wrote deliveries: wakes this process's delivery
# worker at once instead of at its next poll (other processes poll).
written = threading.Event()

# Turns a message into the body sent (wire.webhooks.body); registered by the
# webhooks app when it starts, so the domain never imports the wire format.
_render: Renderer | None = None


def render_with(renderer: Renderer) -> None:
    """Set how messages become bodies (once, at start-up)."""
    global _render
    _render = renderer


def _body(message: Message) -> dict[str, Any]:
    if _render is None:
        raise RuntimeError("No webhook renderer: is the webhooks app installed?")
    return _render(message)


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("The outbox is written only inside a change's transaction.")


def read_endpoints() -> None:
    """Read this transaction's endpoints now, before the change's version bump.

    The bump locks the event's row until commit, and every change of the
    event queues for it: whatever runs after the bump is paid for by all of
    them. With the endpoints read first, a change with no webhooks to write
    commits straight after its bump.
    """
    _require_transaction()
    _endpoints()


def _subscribers(event_type: str) -> list[int]:
    return [pk for pk, wanted in _endpoints() if not wanted or event_type in wanted]


def _endpoints() -> list[tuple[int, list[str]]]:
    """Enabled endpoints and their types, read once per atomic block.

    A booking writes two messages (seats.booked, booking.created) in one
    transaction: one query serves both. The memo belongs to the innermost
    atomic block, so the next change (its own block) reads afresh.
    """
    block = connection.atomic_blocks[-1]
    memo = getattr(connection, "_seats_webhook_endpoints", None)
    if memo is not None and memo[0] is block:
        return memo[1]
    # Plain SQL: every change runs this, and the ORM's query building would
    # cost more CPU than the (usually empty) answer.
    with prepared_cursor() as cursor:
        cursor.execute(endpoints_sql())
        return remember_endpoints(cursor.fetchall())


def endpoints_sql() -> str:
    """The enabled endpoints as rows (id, event types), for a change's own
    statement to read along (services.changes on PostgreSQL)."""
    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    return f"SELECT id, event_types FROM {table} WHERE enabled"


def remember_endpoints(rows: Sequence[Sequence[Any]]) -> list[tuple[int, list[str]]]:
    """Keep the endpoints read (rows of `endpoints_sql`) for this atomic block."""
    _require_transaction()
    endpoints = [(int(pk), _types(types)) for pk, types in rows]
    block = connection.atomic_blocks[-1]
    connection._seats_webhook_endpoints = (block, endpoints)  # type: ignore[attr-defined]
    return endpoints


def _types(stored: Any) -> list[str]:
    """The JSON list of event types, as a raw cursor returns it."""
    value = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return [str(t) for t in value or []]


def _write(message: Message, event_id: int) -> int:
    """One pending delivery of `message` per enabled endpoint that wants it."""
    _require_transaction()
    endpoints = _subscribers(message.type)
    if not endpoints:
        return 0
    transaction.on_commit(written.set)
    body = _body(message)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint_id,
                event_type=message.type,
                event_id=event_id,
                version=message.version,
                payload=body,
                created_at=message.at,
                next_attempt_at=message.at,
            )
            for endpoint_id in endpoints
        ]
    )
    return len(endpoints)


def enqueue_seat_change(
    *,
    event_id: int,
    version: int,
    reason: str,
    groups: Sequence[SeatGroup],
    now: datetime,
) -> None:
    """`seats.<reason>`: one message per hold the change touched.

    Staff blocking or unblocking seats is not a webhook type (yet): the
    shop's contract (docs/webhooks.schema.json) has no such message, so
    those changes write none, and neither does a plan change.
    """
    _require_transaction()
    event_type = types.seat_type(reason)
    if event_type not in types.SEAT_TYPES or not _subscribers(event_type):
        return
    for g in groups:
        message = SeatsMessage(
            type=event_type,
            event_id=event_id,
            version=version,
            at=now,
            holder=g.holder,
            hold_token=g.token,
            seats=g.seats,
        )
        _write(message, event_id)


def enqueue_booking(
    event_type: str, *, version: int, booking: Booking, now: datetime
) -> int:
    """`booking.created` or `booking.cancelled`."""
    message = BookingMessage(type=event_type, version=version, at=now, booking=booking)
    return _write(message, booking.event_id)
