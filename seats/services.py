"""Every change to seat state happens here, and only here.

Each function runs one transaction that locks, checks and writes, bumps the
event's version and announces the change after commit. Lock order is always
seats (by primary key), then holds, then the event row, so concurrent
transactions on PostgreSQL cannot deadlock; on SQLite the IMMEDIATE
transaction mode serialises writers outright. Conditional UPDATEs whose row
counts are checked make a lost race roll back instead of double-holding.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from seats.errors import (
    BadRequest,
    ExtendLimit,
    HoldExpired,
    NoAdjacentSeats,
    NotHolder,
    SeatsUnavailable,
    TooManySeats,
    UnknownSeat,
)
from seats.models import Activity, Booking, Event, Hold, PriceCategory, Seat
from seats.picker import LayoutSeat, best_block
from seats.signals import SeatChange, SeatState, announce_on_commit

# Rows per statement when a sweep touches thousands of seats (SQLite caps
# the number of bound parameters per statement).
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class HoldResult:
    seat_ids: list[int]
    held_until: datetime
    # The latest the hold can be extended to.
    max_until: datetime


@dataclass(frozen=True, slots=True)
class BookingResult:
    reference: str
    seat_ids: list[int]


@dataclass(frozen=True, slots=True)
class ExpiredSeat:
    seat_id: int
    label: str
    event_id: int
    event_name: str
    holder: str


def hold_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
) -> HoldResult:
    """All or nothing: either every seat is held by `holder`, or none changes.

    Seats already held by `holder` are kept as they are; new seats join the
    holder's active hold on this event and share its expiry.
    """
    now = now or timezone.now()
    wanted = _distinct(seat_ids)
    # Fail fast without locks when a seat is visibly taken: under contention
    # most requests lose, and they need not queue for the row locks (or, on
    # SQLite, the database write lock) only to learn it. A seat that looks
    # free is checked again under lock below.
    _refuse_taken(_read_seats(event_id, wanted), holder, now)
    with transaction.atomic():
        seats = _lock_seats(event_id, wanted)
        _refuse_taken(seats, holder, now)
        new = [s for s in seats if not (_is_held(s, now) and s.holder == holder)]
        already = Seat.objects.filter(
            event_id=event_id, holder=holder, held_until__gt=now
        )
        if new and already.count() + len(new) > settings.SEAT_MAX_PER_HOLDER:
            raise TooManySeats(
                f"One person may hold at most {settings.SEAT_MAX_PER_HOLDER} seats "
                "for this event.",
                seat_ids=[s.id for s in new],
            )
        hold = _active_hold(event_id, holder, now) or _new_hold(event_id, holder, now)
        if not new:
            return HoldResult(
                seat_ids=wanted,
                held_until=hold.expires_at,
                max_until=hold.max_expires_at,
            )

        lapsed = [s for s in seats if s in new and s.hold_id is not None]
        new_ids = [s.id for s in new]
        taken_now = (
            Seat.objects.filter(id__in=new_ids, booking__isnull=True)
            .filter(Q(hold__isnull=True) | Q(held_until__lte=now))
            .update(hold=hold, holder=holder, held_until=hold.expires_at)
        )
        if taken_now != len(new_ids):  # pragma: no cover - guarded by the lock
            raise SeatsUnavailable(seat_ids=new_ids)

        version = _bump_version(event_id)
        # A hold that lapsed but was not swept yet ends here, on the record.
        _log(event_id, lapsed, Activity.Kind.EXPIRED, now, version, holder_of=True)
        _log(event_id, new, Activity.Kind.HELD, now, version, holder=holder)
        announce_on_commit(
            SeatChange(
                event_id=event_id,
                version=version,
                reason="held",
                holders=(holder,),
                at=now,
                seats=tuple(
                    SeatState(s.id, s.label, "held", holder, hold.expires_at)
                    for s in new
                ),
            )
        )
        return HoldResult(
            seat_ids=wanted,
            held_until=hold.expires_at,
            max_until=hold.max_expires_at,
        )


def hold_best(
    *,
    event_id: int,
    holder: str,
    count: int,
    category: str | None = None,
    now: datetime | None = None,
    attempts: int = 3,
) -> HoldResult:
    """Hold the best `count` adjacent free seats in one row; all or nothing.

    The block is chosen from a fresh read and then held like any click; if
    someone takes one of its seats in between, the choice is made again.
    """
    now = now or timezone.now()
    limit = settings.SEAT_MAX_PER_HOLDER
    held = Seat.objects.filter(
        event_id=event_id, holder=holder, held_until__gt=now
    ).count()
    if not 1 <= count <= limit - held:
        raise TooManySeats(
            f"One person may hold at most {limit} seats for this event "
            f"(you hold {held})."
        )
    if (
        category is not None
        and not PriceCategory.objects.filter(event_id=event_id, code=category).exists()
    ):
        raise BadRequest(f"There is no price category {category!r} for this event.")
    for _ in range(attempts):
        chosen = best_block(_layout(event_id, now), count, category=category)
        if chosen is None:
            where = f" in {category}" if category else ""
            raise NoAdjacentSeats(f"There are no {count} seats together{where} left.")
        try:
            return hold_seats(
                event_id=event_id, holder=holder, seat_ids=chosen, now=now
            )
        except SeatsUnavailable:
            continue  # taken between our read and our lock: choose again
    raise NoAdjacentSeats("Seats are going fast: no block could be held. Try again.")


def release_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
) -> list[int]:
    """Free seats of `holder`'s active hold; all or nothing."""
    now = now or timezone.now()
    wanted = _distinct(seat_ids)
    with transaction.atomic():
        seats = _lock_seats(event_id, wanted)
        _check_own_active(seats, holder, now)
        holds = _lock_holds(s.hold_id for s in seats)
        Seat.objects.filter(id__in=wanted).update(hold=None, holder="", held_until=None)
        _drop_if_empty(holds)
        version = _bump_version(event_id)
        _log(event_id, seats, Activity.Kind.RELEASED, now, version, holder=holder)
        announce_on_commit(
            SeatChange(
                event_id=event_id,
                version=version,
                reason="released",
                holders=(holder,),
                at=now,
                seats=tuple(SeatState(s.id, s.label, "available") for s in seats),
            )
        )
    return wanted


def release_all(
    *, event_id: int, holder: str, now: datetime | None = None
) -> list[int]:
    """Free every seat `holder` holds on the event (a connection that went away)."""
    now = now or timezone.now()
    ids = list(
        Seat.objects.filter(event_id=event_id, holder=holder, held_until__gt=now)
        .order_by("pk")
        .values_list("id", flat=True)
    )
    if not ids:
        return []
    try:
        return release_seats(event_id=event_id, holder=holder, seat_ids=ids, now=now)
    except (NotHolder, HoldExpired):
        # Something changed between the read and the lock (a booking, an
        # expiry): whatever is left will expire on its own.
        return []


def extend_hold(
    *, event_id: int, holder: str, now: datetime | None = None
) -> HoldResult:
    """Push the holder's hold to now + SEAT_HOLD_SECONDS, capped at its maximum."""
    now = now or timezone.now()
    with transaction.atomic():
        hold = Hold.objects.filter(
            event_id=event_id, holder=holder, expires_at__gt=now
        ).first()
        if hold is None:
            if Seat.objects.filter(event_id=event_id, holder=holder).exists():
                raise HoldExpired("Your hold has expired.")
            raise NotHolder("You hold no seats for this event.")
        seats = list(
            Seat.objects.select_for_update()
            .filter(hold=hold)
            .order_by("pk")
            .only("id", "label")
        )
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        new_expiry = min(
            now + timedelta(seconds=settings.SEAT_HOLD_SECONDS), hold.max_expires_at
        )
        if hold.expires_at <= now:
            raise HoldExpired("Your hold has expired.")
        if new_expiry <= hold.expires_at:
            raise ExtendLimit(
                "Your hold cannot be extended past "
                f"{settings.SEAT_HOLD_MAX_SECONDS // 60} minutes in total."
            )
        hold.expires_at = new_expiry
        hold.save(update_fields=["expires_at"])
        Seat.objects.filter(hold=hold).update(held_until=new_expiry)
        if seats:
            version = _bump_version(event_id)
            _log(event_id, seats, Activity.Kind.EXTENDED, now, version, holder=holder)
            announce_on_commit(
                SeatChange(
                    event_id=event_id,
                    version=version,
                    reason="extended",
                    holders=(holder,),
                    at=now,
                    seats=tuple(
                        SeatState(s.id, s.label, "held", holder, new_expiry)
                        for s in seats
                    ),
                )
            )
    return HoldResult(
        seat_ids=[s.id for s in seats],
        held_until=new_expiry,
        max_until=hold.max_expires_at,
    )


def book_seats(
    *,
    event_id: int,
    holder: str,
    seat_ids: Sequence[int],
    now: datetime | None = None,
) -> BookingResult:
    """Turn seats of the holder's active hold into one booking; all or nothing.

    The hold must still be running at `now`: a hold past its time cannot be
    booked even if the sweeper has not released it yet.
    """
    now = now or timezone.now()
    wanted = _distinct(seat_ids)
    with transaction.atomic():
        seats = _lock_seats(event_id, wanted)
        _check_own_active(seats, holder, now)
        holds = _lock_holds(s.hold_id for s in seats)
        booking = Booking.objects.create(
            reference=_booking_reference(),
            event_id=event_id,
            holder=holder,
            created_at=now,
        )
        booked = Seat.objects.filter(
            id__in=wanted, holder=holder, held_until__gt=now, booking__isnull=True
        ).update(booking=booking, hold=None, holder="", held_until=None)
        if booked != len(wanted):  # pragma: no cover - guarded by the lock
            raise HoldExpired(seat_ids=wanted)
        _drop_if_empty(holds)
        version = _bump_version(event_id)
        _log(event_id, seats, Activity.Kind.BOOKED, now, version, holder=holder)
        announce_on_commit(
            SeatChange(
                event_id=event_id,
                version=version,
                reason="booked",
                holders=(holder,),
                at=now,
                seats=tuple(SeatState(s.id, s.label, "booked") for s in seats),
            )
        )
    return BookingResult(reference=booking.reference, seat_ids=wanted)


def release_expired(*, now: datetime | None = None) -> list[ExpiredSeat]:
    """Release every hold whose time has passed; one announcement per event.

    Idempotent: a seat is released by exactly one sweep, because each sweep
    claims its rows under lock (rows another sweep locked are skipped on
    PostgreSQL; SQLite serialises writers) before it clears them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Seat.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(hold__isnull=False, held_until__lte=now)
            .order_by("pk")
            .values_list("id", "label", "event_id", "holder")
        )
        # These rows are ours now: locked on PostgreSQL (rows another sweep
        # locked first were skipped), serialised by the write lock on SQLite.
        for chunk in _chunks(rows, _CHUNK):
            Seat.objects.filter(id__in=[r[0] for r in chunk]).update(
                hold=None, holder="", held_until=None
            )

        # Spent holds go before any event row is locked (seats, holds, events
        # is the lock order everywhere); ones a running request holds are skipped.
        spent = list(
            Hold.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .exclude(id__in=Seat.objects.filter(hold__isnull=False).values("hold_id"))
            .values_list("id", flat=True)
        )
        if spent:
            _delete_holds(spent)

        by_event: dict[int, list[tuple[int, str, int, str]]] = defaultdict(list)
        for row in rows:
            by_event[row[2]].append(row)
        names = dict(Event.objects.filter(id__in=by_event).values_list("id", "name"))
        for event_id in sorted(by_event):
            event_rows = by_event[event_id]
            version = _bump_version(event_id)
            Activity.objects.bulk_create(
                [
                    Activity(
                        event_id=event_id,
                        seat_id=seat_id,
                        kind=Activity.Kind.EXPIRED,
                        holder=former,
                        at=now,
                        version=version,
                    )
                    for seat_id, _, _, former in event_rows
                ],
                batch_size=_CHUNK,
            )
            announce_on_commit(
                SeatChange(
                    event_id=event_id,
                    version=version,
                    reason="expired",
                    holders=tuple(sorted({r[3] for r in event_rows})),
                    at=now,
                    seats=tuple(SeatState(r[0], r[1], "available") for r in event_rows),
                )
            )
    return [
        ExpiredSeat(
            seat_id=r[0], label=r[1], event_id=r[2], event_name=names[r[2]], holder=r[3]
        )
        for r in rows
    ]


# Helpers. None of these commit or announce on their own.


def _distinct(seat_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(seat_ids))
    if not ids:
        raise BadRequest("Name at least one seat.")
    return ids


def _layout(event_id: int, now: datetime) -> list[LayoutSeat]:
    """Every seat of the event, free or not at `now`, for the picker."""
    rows = Seat.objects.filter(event_id=event_id).values_list(
        "id", "section", "row", "x", "y", "category__code", "held_until", "booking_id"
    )
    return [
        LayoutSeat(
            id=sid,
            section=section,
            row=row,
            x=x,
            y=y,
            category=code,
            free=booking is None and (until is None or until <= now),
        )
        for sid, section, row, x, y, code, until, booking in rows
    ]


def _lock_seats(event_id: int, seat_ids: list[int]) -> list[Seat]:
    """Lock the seats in primary-key order; unknown ids (or another event's) raise."""
    return _read_seats(event_id, seat_ids, lock=True)


def _read_seats(
    event_id: int, seat_ids: list[int], *, lock: bool = False
) -> list[Seat]:
    """The seats in primary-key order; unknown ids (or another event's) raise."""
    query = Seat.objects.filter(event_id=event_id, id__in=seat_ids)
    if lock:
        query = query.select_for_update()
    seats = list(
        query.order_by("pk").only(
            "id", "label", "hold_id", "holder", "held_until", "booking_id"
        )
    )
    if len(seats) != len(seat_ids):
        missing = set(seat_ids) - {s.id for s in seats}
        raise UnknownSeat(
            "Some of these seats do not exist for this event.", seat_ids=missing
        )
    return seats


def _is_held(seat: Seat, now: datetime) -> bool:
    return seat.held_until is not None and seat.held_until > now


def _refuse_taken(seats: list[Seat], holder: str, now: datetime) -> None:
    """Raise SeatsUnavailable naming the seats booked or held by someone else."""
    taken = [
        s.id
        for s in seats
        if s.booking_id is not None or (_is_held(s, now) and s.holder != holder)
    ]
    if taken:
        raise SeatsUnavailable(_unavailable_text(seats, taken), seat_ids=taken)


def _check_own_active(seats: list[Seat], holder: str, now: datetime) -> None:
    """Raise unless every seat is in `holder`'s running hold."""
    not_mine = [s.id for s in seats if s.holder != holder or s.booking_id is not None]
    if not_mine:
        raise NotHolder(seat_ids=not_mine)
    lapsed = [s.id for s in seats if not _is_held(s, now)]
    if lapsed:
        raise HoldExpired(seat_ids=lapsed)


def _unavailable_text(seats: list[Seat], taken: list[int]) -> str:
    labels = ", ".join(s.label for s in seats if s.id in set(taken))
    if len(taken) == 1:
        return f"Seat {labels} was just taken by someone else."
    return f"Seats {labels} were just taken by someone else."


def _active_hold(event_id: int, holder: str, now: datetime) -> Hold | None:
    return (
        Hold.objects.select_for_update()
        .filter(event_id=event_id, holder=holder, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
    )


def _new_hold(event_id: int, holder: str, now: datetime) -> Hold:
    return Hold.objects.create(
        token=secrets.token_urlsafe(16),
        event_id=event_id,
        holder=holder,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SEAT_HOLD_SECONDS),
        max_expires_at=now + timedelta(seconds=settings.SEAT_HOLD_MAX_SECONDS),
    )


def _lock_holds(hold_ids: Iterable[int | None]) -> list[int]:
    """Lock these holds (after their seats): whoever adds seats to one waits."""
    ids = sorted({h for h in hold_ids if h is not None})
    if ids:
        list(
            Hold.objects.select_for_update()
            .filter(id__in=ids)
            .order_by("pk")
            .values_list("id", flat=True)
        )
    return ids


def _drop_if_empty(hold_ids: list[int]) -> None:
    """Delete the locked holds no seat points at any more."""
    if not hold_ids:
        return
    in_use = set(
        Seat.objects.filter(hold_id__in=hold_ids)
        .order_by()
        .values_list("hold_id", flat=True)
    )
    empty = [h for h in hold_ids if h not in in_use]
    if empty:
        _delete_holds(empty)


def _delete_holds(hold_ids: list[int]) -> None:
    """Delete locked holds that no seat points at, one statement per chunk.

    Plain SQL on purpose: QuerySet.delete() would first look for seats to
    set to NULL (there are none: the callers checked under lock) and cost
    two more statements per chunk on the release and sweep paths.
    """
    table = connection.ops.quote_name(Hold._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(hold_ids, _CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)


def _bump_version(event_id: int) -> int:
    """The event's next version, allocated inside the caller's transaction."""
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET version = version + 1 WHERE id = %s RETURNING version",
            [event_id],
        )
        return cursor.fetchone()[0]


def _log(
    event_id: int,
    seats: Iterable[Seat],
    kind: str,
    now: datetime,
    version: int,
    *,
    holder: str = "",
    holder_of: bool = False,
) -> None:
    """Write one activity row per seat; `holder_of` takes each seat's former holder."""
    Activity.objects.bulk_create(
        [
            Activity(
                event_id=event_id,
                seat_id=s.id,
                kind=kind,
                holder=s.holder if holder_of else holder,
                at=now,
                version=version,
            )
            for s in seats
        ],
        batch_size=_CHUNK,
    )


def _booking_reference() -> str:
    # Crockford-style alphabet: no 0/O or 1/I/L to misread over the phone.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "BK-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
