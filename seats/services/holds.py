"""Holding seats: take, pick the best, extend (releasing: services.releases).

Each function is one transaction that locks (seats, then holds, then the
event row), checks and writes; conditional UPDATEs whose row counts are
checked make a lost race roll back instead of double-holding.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from seats.errors import (
    BadRequest,
    HoldNotFound,
    NoAccessibleSeats,
    NoAdjacentSeats,
    SeatsUnavailable,
    SingleSeatLeft,
    TooManySeats,
    UnknownSeat,
)
from seats.focal import focal_point
from seats.models import (
    Activity,
    Hold,
    PriceCategory,
    Seat,
    SeatStatus,
    channel_active,
)
from seats.picker import best_accessible, best_block
from seats.services import one_call, statements
from seats.services.changes import record_change
from seats.services.hold_parts import HoldResult, distinct, result_of
from seats.services.hold_rows import (
    HoldTimes,
    chosen_times,
    lapsed_groups,
    lock_hold_row,
    renew_if_spent,
)
from seats.services.locking import (
    lock_seats,
    locked_transaction,
    read_seats,
    retried_after_deadlock,
)
from seats.services.places import Places, pick_places, wanted_places
from seats.services.seat_rules import best_settings, enforce_seat_rules, layout
from seats.signals import SeatState, group


def hold_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
    hold_token: str | None = None,
    details: bool = False,
    admission: Callable[[bool | None], None] | None = None,
    places: Sequence[Places] = (),
    expires_in_minutes: int | None = None,
    channels: Collection[int] = (),
) -> HoldResult:
    """All or nothing: either every seat is held by `holder`, or none changes.

    `places`: standing places too, a quantity per area, chosen by the server
    (services.places) and held with the seats, all or nothing.

    Seats already held by `holder` are kept as they are; new seats join the
    holder's running hold on this event and share its expiry. The holder's
    hold row is claimed under lock before their seats are counted, so the
    per-holder limit holds across workers. The seat rules apply
    (`enforce_seat_rules`). With `hold_token`, the seats join that running
    hold or nothing happens (HoldNotFound), checked under the hold's lock.

    `admission` (the waiting room's check for this visitor, which raises to
    refuse) is given whether the event's room is on, as read with the seats
    (None if no seat was found), before anything else is judged.

    `expires_in_minutes` (a shop's choice, `chosen_times`) times a hold made
    now; a running hold the seats join keeps its own times.

    `channels`: the sales channels the holder unlocked (ids, from the
    server's side: the session, the API key). A seat kept for an active
    channel not among them is refused like a blocked one, not on sale; the
    PostgreSQL one-call paths never take a kept seat (migration 0026), so
    such a seat is always judged here.
    """
    now = now or timezone.now()
    times = _times(now, expires_in_minutes)
    areas = wanted_places(places) if places else []
    # With places the seats may be none at all: the places are picked under
    # lock (`_hold`), never on the one-call paths.
    wanted = sorted(set(seat_ids)) if areas else distinct(seat_ids)
    plain = hold_token is None and not details and times is None and not areas
    if plain:
        # PostgreSQL, a plain click: read, judged and taken in one round
        # trip, or refused there when a seat is taken (None: on, below).
        hold = one_call.hold_click(event_id, holder, wanted, now)
        if hold is not None:
            return result_of(wanted, hold, now, details=False)
    # Fail fast without locks when a seat is visibly taken: under contention
    # most requests lose, and they need not queue for the row locks (or, on
    # SQLite, the database write lock) only to learn it. A seat that looks
    # free is checked again under lock below.
    try:
        seats = read_seats(event_id, wanted) if wanted else []
    except UnknownSeat:
        if admission is not None:
            admission(None)
        raise
    if admission is not None:
        admission(getattr(seats[0], "room_on", None) if seats else None)
    _refuse_taken(seats, holder, now, channels)
    if plain:
        # PostgreSQL, plainly free seats: one round trip (or None: on).
        hold = one_call.take_free(event_id, holder, seats, now)
        if hold is not None:
            return result_of(wanted, hold, now, details=False)
    return _hold(
        event_id=event_id,
        holder=holder,
        wanted=wanted,
        now=now,
        hold_token=hold_token,
        details=details,
        places=areas,
        times=times,
        channels=channels,
    )


def _times(now: datetime, expires_in_minutes: int | None) -> HoldTimes | None:
    """The chosen times, checked before anything is read; None: the defaults."""
    if expires_in_minutes is None:
        return None
    return chosen_times(now, expires_in_minutes)


@retried_after_deadlock
def _hold(
    *,
    event_id: int,
    holder: str,
    wanted: list[int],
    now: datetime,
    hold_token: str | None,
    details: bool,
    best: bool = False,
    places: Sequence[Places] = (),
    times: HoldTimes | None = None,
    channels: Collection[int] = (),
) -> HoldResult:
    """`hold_seats` from the lock on: `wanted` was just read (and looked free).

    `places` are picked first, under lock, and join `wanted`; the answer
    names them with the seats."""
    with locked_transaction():
        if places:
            picked = pick_places(event_id, places, now, channels)
            wanted = sorted({*wanted, *picked})
        seats = lock_seats(event_id, wanted, runs=True)
        _refuse_taken(seats, holder, now, channels)
        new = [s for s in seats if not _held_by(s, holder, now)]
        # Seats first, then the hold: the lock order every service keeps.
        # Counted under the hold row's lock, so the limit holds across workers.
        hold, created = lock_hold_row(event_id, holder, now, times)
        held = statements.count_held_by(event_id, holder, now)
        if hold_token is not None and (
            created or hold.token != hold_token or not held or not hold.is_active(now)
        ):
            raise HoldNotFound()
        ended: set[int] = set()
        if not created:
            ended = renew_if_spent(hold, held, now, times)
        if new and held + len(new) > settings.SEAT_MAX_PER_HOLDER:
            raise TooManySeats(
                _too_many(held), seat_ids=[] if best else [s.id for s in new]
            )
        if new:
            _take(event_id, holder, hold, seats, new, ended, now)
        return result_of(wanted, hold, now, details)


def _take(
    event_id: int,
    holder: str,
    hold: Hold,
    seats: list[Seat],
    new: list[Seat],
    ended: set[int],
    now: datetime,
) -> None:
    """Put the locked, free `new` seats into `hold`, after the seat rules."""
    new_ids = [s.id for s in new]
    enforce_seat_rules(
        event_id=event_id, holder=holder, seats=seats, taking=new_ids, now=now
    )
    lapsed = [s for s in new if s.hold_id is not None and s.id not in ended]
    taken_now = statements.take_free_seats(new_ids, hold, now)
    if taken_now != len(new_ids):  # pragma: no cover - guarded by the lock
        raise SeatsUnavailable(seat_ids=new_ids)
    if lapsed:
        # A hold that lapsed but was not swept yet ends here, on the record
        # and on the wire, as its own change before the new hold.
        record_change(
            event_id=event_id,
            reason=Activity.Kind.EXPIRED,
            groups=lapsed_groups(lapsed),
            now=now,
        )
    record_change(
        event_id=event_id,
        reason=Activity.Kind.HELD,
        groups=[
            group(
                holder,
                (
                    SeatState(s.id, s.label, SeatStatus.HELD, holder, hold.expires_at)
                    for s in new
                ),
                hold.token,
            )
        ],
        now=now,
    )


def _too_many(held: int) -> str:
    limit = settings.SEAT_MAX_PER_HOLDER
    text = f"One person may hold at most {limit} seats for this event"
    return f"{text} (you hold {held})." if held else f"{text}."


def hold_best(
    *,
    event_id: int,
    holder: str,
    count: int,
    category: str | None = None,
    accessible: bool = False,
    now: datetime | None = None,
    attempts: int = 3,
    hold_token: str | None = None,
    details: bool = False,
    expires_in_minutes: int | None = None,
    channels: Collection[int] = (),
) -> HoldResult:
    """Hold the best `count` neighbouring free seats in one run; all or nothing.

    `accessible`: one wheelchair space and `count - 1` of its companion
    seats instead (seats.picker). The choice is made from a fresh read of
    the event's seats and then held under lock, where the holder's seats are
    counted; if someone changes the run in between (takes a seat, or makes
    the choice strand one), the choice is made again. `expires_in_minutes`
    as for `hold_seats`. Seats kept for a sales channel are offered only to a
    holder who unlocked it (`channels`).
    """
    now = now or timezone.now()
    times = _times(now, expires_in_minutes)
    if not 1 <= count <= settings.SEAT_MAX_PER_HOLDER:
        raise TooManySeats(_too_many(0))
    if (
        category is not None
        and not PriceCategory.objects.filter(event_id=event_id, code=category).exists()
    ):
        raise BadRequest(f"There is no price category {category!r} for this event.")
    avoid_single_seats, areas = best_settings(event_id)
    where = f" in {category}" if category else ""
    for _ in range(attempts):
        seats, held = layout(event_id, now, holder, channels=channels)
        # The best seats face the stage (docs/best-available.md).
        focal = focal_point(areas, seats)
        if count > settings.SEAT_MAX_PER_HOLDER - held:
            # Early, from the same read (counted again under lock below).
            raise TooManySeats(_too_many(held))
        if accessible:
            chosen = best_accessible(
                seats,
                count,
                category=category,
                avoid_single_seats=avoid_single_seats,
                focal=focal,
            )
            if chosen is None:
                raise NoAccessibleSeats(_no_accessible_message(count, where))
        else:
            chosen = best_block(
                seats,
                count,
                category=category,
                avoid_single_seats=avoid_single_seats,
                focal=focal,
            )
            if chosen is None:
                raise NoAdjacentSeats(
                    f"There are no {count} seats together{where} left."
                )
        try:
            # The layout was read just now: no second read before the lock.
            return _hold(
                event_id=event_id,
                holder=holder,
                wanted=sorted(chosen),
                now=now,
                hold_token=hold_token,
                details=details,
                best=True,
                times=times,
                channels=channels,
            )
        except (SeatsUnavailable, SingleSeatLeft):
            continue  # the run changed between our read and our lock: again
    going_fast = "Seats are going fast: no block could be held. Try again."
    if accessible:
        raise NoAccessibleSeats(going_fast)
    raise NoAdjacentSeats(going_fast)


def _no_accessible_message(count: int, where: str) -> str:
    if count == 1:
        return f"There is no free wheelchair space{where} left."
    companions = "companion seat" if count == 2 else "companion seats"
    return (
        f"There is no free wheelchair space{where} with {count - 1} free "
        f"{companions} left."
    )


def _status(seat: Seat, now: datetime) -> SeatStatus:
    return seat.status_at(now)


def _held_by(seat: Seat, holder: str, now: datetime) -> bool:
    return _status(seat, now) is SeatStatus.HELD and seat.holder == holder


def _refuse_taken(
    seats: list[Seat], holder: str, now: datetime, channels: Collection[int] = ()
) -> None:
    """Raise SeatsUnavailable naming the seats booked or held by someone
    else, blocked, or kept for a sales channel the holder has not unlocked
    (those two: not on sale). A seat the holder holds already stays theirs."""
    taken = []
    for s in seats:
        if _held_by(s, holder, now):
            continue
        status = _status(s, now)
        kept = status is SeatStatus.AVAILABLE and kept_from(s, channels, now)
        if status is not SeatStatus.AVAILABLE or kept:
            taken.append((s.id, s.label, s.blocked or kept))
    if taken:
        raise SeatsUnavailable.naming(taken)


def kept_from(seat: Seat, channels: Collection[int], now: datetime) -> bool:
    """Whether `seat` (as `locking.read_seats` reads it) is kept at `now` for
    a sales channel that is not among `channels`."""
    return (
        seat.channel_id is not None
        and seat.channel_id not in channels
        and channel_active(getattr(seat, "channel_releases_at", None), now)
    )
