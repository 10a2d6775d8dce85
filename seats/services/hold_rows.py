"""A holder's one hold row per event: locked, renewed, and named by its token.

Each holder has at most one hold row per event (a database constraint).
Requests lock it after their seats (the lock order of every service); a
spent row starts afresh with a new token, its lapsed seats ending first
under the old one. A token names one hold and dies with it: services given
one check it here, under the row's lock.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from seats.errors import BadRequest, HoldNotFound
from seats.models import Activity, Hold, Seat, SeatStatus
from seats.services import statements
from seats.services.changes import record_change
from seats.signals import SeatGroup, SeatState, group


def require_token(tokens: dict[int, str], hold_token: str | None) -> None:
    """With a token given, the locked holds must be exactly that one hold.

    Checked under the holds' locks: a token whose hold ended (and whose
    holder started another) acts on nothing, however late it arrives.
    """
    if hold_token is not None and set(tokens.values()) != {hold_token}:
        raise HoldNotFound()


def hold_tokens(seats: list[Seat]) -> dict[int, str]:
    """The token of each hold these seats point at, by hold id (one read)."""
    ids = {s.hold_id for s in seats if s.hold_id is not None}
    if not ids:
        return {}
    return dict(Hold.objects.filter(id__in=ids).values_list("id", "token"))


def lapsed_groups(
    seats: list[Seat], tokens: Mapping[int, str] | None = None
) -> list[SeatGroup]:
    """These seats, freed, as one group per hold they were in: its holder and
    token (a lapsed hold's token goes to its webhook; read here unless given)."""
    if not seats:
        return []
    tokens = hold_tokens(seats) if tokens is None else tokens
    status = SeatStatus.AVAILABLE
    by_hold: dict[tuple[str, str | None], list[SeatState]] = {}
    for seat in seats:
        key = (seat.holder, tokens.get(seat.hold_id or 0))
        by_hold.setdefault(key, []).append(SeatState(seat.id, seat.label, status))
    return [
        SeatGroup(holder, tuple(states), token)
        for (holder, token), states in by_hold.items()
    ]


@dataclass(frozen=True, slots=True)
class HoldTimes:
    """When a hold starting now runs out, and the latest it may be extended to."""

    expires_at: datetime
    max_expires_at: datetime


def default_times(now: datetime) -> HoldTimes:
    """SEAT_HOLD_SECONDS, extendable to SEAT_HOLD_MAX_SECONDS from the start."""
    return HoldTimes(
        expires_at=now + timedelta(seconds=settings.SEAT_HOLD_SECONDS),
        max_expires_at=now + timedelta(seconds=settings.SEAT_HOLD_MAX_SECONDS),
    )


def api_hold_minutes_cap() -> int:
    """The longest hold a shop may choose, in whole minutes (at least 1)."""
    return max(1, settings.SEAT_API_HOLD_MAX_SECONDS // 60)


def chosen_times(now: datetime, expires_in_minutes: int) -> HoldTimes:
    """A hold a shop timed itself: it runs out `expires_in_minutes` from now
    and may be re-timed or extended until SEAT_API_HOLD_MAX_SECONDS from now.

    Anything but a whole number of minutes in 1..the cap is refused
    (BadRequest), before anything is read or locked.
    """
    cap = api_hold_minutes_cap()
    # bool is an int in Python: True must not pass for one minute.
    if type(expires_in_minutes) is not int or not 1 <= expires_in_minutes <= cap:
        raise BadRequest(
            f"`expires_in_minutes` must be a whole number of minutes from 1 to {cap}."
        )
    return HoldTimes(
        expires_at=now + timedelta(minutes=expires_in_minutes),
        max_expires_at=now + timedelta(minutes=cap),
    )


def lock_hold_row(
    event_id: int, holder: str, now: datetime, times: HoldTimes | None = None
) -> tuple[Hold, bool]:
    """The holder's one hold row on the event, locked; True if made just now.

    One INSERT ... ON CONFLICT DO UPDATE (`statements.claim_hold_row`): a
    second request of the same holder (on another worker) waits here until
    the first commits, and then counts the seats the first one took. The row
    is ours when it carries the token we inserted (tokens are random).
    """
    fresh = fresh_hold(event_id, holder, now, times)
    hold = statements.claim_hold_row(fresh)
    return hold, hold.token == fresh.token


def renew_if_spent(
    hold: Hold, running_seats: int, now: datetime, times: HoldTimes | None = None
) -> set[int]:
    """Start the locked hold afresh (new token, new times) if it is spent.

    Spent: its time has passed, or none of the holder's seats is running
    (`running_seats`, counted under the lock: with one hold per holder and
    event, the holder's running seats are the hold's). Lapsed seats still
    pointing at it end first, as an expiry under the old token, so a
    `seats.expired` never names the new hold. Returns their ids.

    Those seats are locked here, after the hold row: only the sweeper
    (which skips locked rows) and requests taking a lapsed seat (which
    never wait for this hold row) lock them too, so no cycle can form.
    """
    if hold.is_active(now) and running_seats:
        return set()
    left = list(
        Seat.objects.select_for_update()
        .filter(hold=hold)
        .lapsed_at(now)
        .order_by("pk")
        .values_list("id", "label")
    )
    if left:
        ids = [seat_id for seat_id, _ in left]
        statements.clear_holds(ids)
        record_change(
            event_id=hold.event_id,
            reason=Activity.Kind.EXPIRED,
            groups=[
                group(
                    hold.holder,
                    (SeatState(i, label, SeatStatus.AVAILABLE) for i, label in left),
                    hold.token,
                )
            ],
            now=now,
        )
    fresh = fresh_hold(hold.event_id, hold.holder, now, times)
    hold.token, hold.created_at = fresh.token, fresh.created_at
    hold.expires_at, hold.max_expires_at = fresh.expires_at, fresh.max_expires_at
    hold.save(update_fields=["token", "created_at", "expires_at", "max_expires_at"])
    return {seat_id for seat_id, _ in left}


def new_hold_token() -> str:
    """32 URL-safe characters: 192 random bits, a capability (docs/integration.md)."""
    return secrets.token_urlsafe(24)


def fresh_hold(
    event_id: int, holder: str, now: datetime, times: HoldTimes | None = None
) -> Hold:
    """A new hold row starting now: the default times unless `times` says."""
    times = times or default_times(now)
    return Hold(
        token=new_hold_token(),
        event_id=event_id,
        holder=holder,
        created_at=now,
        expires_at=times.expires_at,
        max_expires_at=times.max_expires_at,
    )
