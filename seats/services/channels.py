"""Sales channels: seats kept for a presale, a partner, house seats.

Which seats a channel keeps, and until when, is part of the event's
layout (seats.layouts: every seat's `channel`, the channels with their
`releases_at`), not of the live state: it is set by staff before a sale,
rarely. So every change here is a change of the layout, made like a new
plan (services.seating.apply_layout): the seats locked in primary-key
order, the layout version bumped, one version of its own, announced as
`plan_changed` so every open map reloads its snapshot.

Keeping touches only `Seat.channel`: a held or booked seat stays held or
booked (keeping decides who may take it next). Who may take a kept seat
is judged at every hold (services.holds), against the clock, so a
channel's seats return to general sale at `releases_at` with nothing
running then. Seats are named by id, so keeping works the same for any
seat row (a standing area's places too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import F

from seats.errors import BadRequest, UnknownSeat
from seats.models import Event, SalesChannel, Seat
from seats.services.changes import PLAN_CHANGED, chunks, record_change
from seats.services.locking import locked_transaction, retried_after_deadlock


def create_channel(
    *,
    event_id: int,
    name: str,
    code_digest: str,
    releases_at: datetime | None,
    now: datetime,
) -> SalesChannel:
    """A new channel of the event, keeping no seats yet; a layout change
    (the layout lists the event's channels). BadRequest if the event has a
    channel of that name or with that code already."""
    name = name.strip()
    if not name:
        raise BadRequest("Give the channel a name.")
    with locked_transaction():
        Event.objects.select_for_update().only("id").get(pk=event_id)
        existing = SalesChannel.objects.filter(event_id=event_id)
        if existing.filter(name=name).exists():
            raise BadRequest(f"This event has a channel named {name!r} already.")
        if existing.filter(code_digest=code_digest).exists():
            raise BadRequest("Another channel of this event has that code.")
        channel = SalesChannel.objects.create(
            event_id=event_id,
            name=name,
            code_digest=code_digest,
            releases_at=releases_at,
            created_at=now,
        )
        _layout_changed(event_id, now)
    return channel


@retried_after_deadlock
def set_releases_at(
    *, channel_id: int, releases_at: datetime | None, now: datetime
) -> SalesChannel:
    """When the channel's seats return to general sale (None: not until
    staff say so); a layout change."""
    with locked_transaction():
        channel = SalesChannel.objects.select_for_update().get(pk=channel_id)
        channel.releases_at = releases_at
        channel.save(update_fields=["releases_at"])
        _layout_changed(channel.event_id, now)
    return channel


@retried_after_deadlock
def keep_seats(
    *,
    event_id: int,
    channel_id: int | None,
    seat_ids: Sequence[int],
    now: datetime,
) -> list[int]:
    """Keep these seats of the event for the channel (None: back to general
    sale), whatever their state; all or nothing. Returns the ids whose
    channel changed (none changed: nothing is announced)."""
    wanted = sorted(set(seat_ids))
    if not wanted:
        raise BadRequest("Name at least one seat.")
    with locked_transaction():
        if (
            channel_id is not None
            and not SalesChannel.objects.filter(
                pk=channel_id, event_id=event_id
            ).exists()
        ):
            raise BadRequest("There is no such channel for this event.")
        found: dict[int, int | None] = {}
        for chunk in chunks(wanted):
            found.update(
                Seat.objects.select_for_update()
                .filter(event_id=event_id, id__in=chunk)
                .order_by("pk")
                .values_list("id", "channel_id")
            )
        missing = set(wanted) - set(found)
        if missing:
            raise UnknownSeat(
                "Some of these seats do not exist for this event.", seat_ids=missing
            )
        changed = [sid for sid in wanted if found[sid] != channel_id]
        if not changed:
            return []
        for chunk in chunks(changed):
            Seat.objects.filter(id__in=chunk).update(channel_id=channel_id)
        _layout_changed(event_id, now)
    return changed


@retried_after_deadlock
def delete_channel(*, channel_id: int, now: datetime) -> int:
    """Remove the channel; its seats return to general sale. Returns how
    many seats it kept."""
    with locked_transaction():
        channel = SalesChannel.objects.select_for_update().get(pk=channel_id)
        kept = list(
            Seat.objects.select_for_update()
            .filter(event_id=channel.event_id, channel_id=channel.pk)
            .order_by("pk")
            .values_list("id", flat=True)
        )
        for chunk in chunks(kept):
            Seat.objects.filter(id__in=chunk).update(channel_id=None)
        channel.delete()
        _layout_changed(channel.event_id, now)
    return len(kept)


def _layout_changed(event_id: int, now: datetime) -> None:
    """A new layout version, announced like a new plan: maps reload."""
    Event.objects.filter(pk=event_id).update(layout_version=F("layout_version") + 1)
    record_change(event_id=event_id, reason=PLAN_CHANGED, groups=(), now=now)
