"""Extending a hold: the holder's running hold pushed out, within its maximum."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from seats.errors import ExtendLimit, HoldExpired, NotHolder
from seats.models import Activity, Hold, Seat, SeatStatus
from seats.services.changes import record_change
from seats.services.hold_parts import HoldResult, result_of
from seats.services.hold_rows import chosen_times, require_token
from seats.services.locking import locked_transaction, retried_after_deadlock
from seats.signals import SeatState, group


@retried_after_deadlock
def extend_hold(
    *,
    event_id: int,
    holder: str,
    now: datetime | None = None,
    hold_token: str | None = None,
    details: bool = False,
    expires_in_minutes: int | None = None,
) -> HoldResult:
    """Push the holder's hold to now + SEAT_HOLD_SECONDS, capped at its maximum.

    With `expires_in_minutes` (a shop's choice, checked by `chosen_times`
    before anything is locked) the hold is re-timed instead: it runs out
    that long from now, sooner or later than before, and its maximum moves
    to SEAT_API_HOLD_MAX_SECONDS from now, so it can be re-timed again.
    """
    now = now or timezone.now()
    times = (
        None if expires_in_minutes is None else chosen_times(now, expires_in_minutes)
    )
    with locked_transaction():
        found = Hold.objects.running_for(event_id, holder, now)
        hold_id = found.values_list("id", flat=True).first()
        if hold_id is None:
            if Seat.objects.filter(event_id=event_id, holder=holder).exists():
                raise HoldExpired("Your hold has expired.")
            raise NotHolder("You hold no seats for this event.")
        seats = list(
            Seat.objects.select_for_update()
            .filter(hold_id=hold_id)
            .held_at(now)
            .order_by("pk")
            .only("id", "label")
        )
        hold = Hold.objects.select_for_update().get(pk=hold_id)
        require_token({hold.pk: hold.token}, hold_token)
        if not hold.is_active(now) or not seats:
            # Nothing running to extend: only lapsed seats point at the row.
            raise HoldExpired("Your hold has expired.")
        if times is not None:
            new_expiry = times.expires_at
            hold.max_expires_at = times.max_expires_at
        else:
            new_expiry = _extended(hold, now)
        hold.expires_at = new_expiry
        hold.save(update_fields=["expires_at", "max_expires_at"])
        # Only running seats: a lapsed seat still pointing at a renewed
        # hold row stays lapsed until the sweeper or another hold takes it.
        Seat.objects.filter(id__in=[s.id for s in seats]).update(held_until=new_expiry)
        record_change(
            event_id=event_id,
            reason=Activity.Kind.EXTENDED,
            groups=[
                group(
                    holder,
                    (
                        SeatState(s.id, s.label, SeatStatus.HELD, holder, new_expiry)
                        for s in seats
                    ),
                    hold.token,
                )
            ],
            now=now,
        )
        return result_of([s.id for s in seats], hold, now, details)


def _extended(hold: Hold, now: datetime) -> datetime:
    """The expiry a plain extension gives: SEAT_HOLD_SECONDS from now, within
    the hold's maximum; ExtendLimit if that gains nothing."""
    extension = now + timedelta(seconds=settings.SEAT_HOLD_SECONDS)
    new_expiry = min(extension, hold.max_expires_at)
    if new_expiry > hold.expires_at:
        return new_expiry
    if hold.expires_at > extension:
        # Only a hold its shop timed runs longer than any extension gives.
        raise ExtendLimit(
            "Your hold already runs longer than an extension would make it; "
            "re-time it with `expires_in_minutes` instead."
        )
    raise ExtendLimit(
        "Your hold cannot be extended past "
        f"{settings.SEAT_HOLD_MAX_SECONDS // 60} minutes in total."
    )
