"""The seat rules under lock: what one request may take or free.

Called by the hold services after their seats are locked, and only for
requests (staff may overrule): a companion seat stays with its wheelchair
space, and, where the event asks for it, no free seat is left alone between
taken ones. The rules themselves are pure functions in `seats.rules`; this
module reads what they need. `layout` is the picker's view of the venue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from seats import rules
from seats.errors import CompanionSeat, SingleSeatLeft, WholeTable
from seats.models import Event, Seat, SeatStatus, channel_active, status_of
from seats.picker import LayoutSeat


def layout(
    event_id: int,
    now: datetime,
    holder: str | None = None,
    *,
    channels: Collection[int] = (),
) -> tuple[list[LayoutSeat], int]:
    """Every seat of the event, free or not at `now`, for the picker; and how
    many seats and standing places `holder` holds (the same read, no second
    query). Standing places are not seats to pick: left out.

    Each seat carries its category's rank (`category_ranks`) and its row,
    and whether it is kept at `now` for a sales channel not among
    `channels` (the picker never offers those; the single-seat rule still
    counts them as free: the channel's own buyers may take them).
    """
    rows = list(
        Seat.objects.filter(event_id=event_id).values_list(
            "id",
            "run",
            "run_position",
            "x",
            "y",
            "category__code",
            "held_until",
            "booking_id",
            "blocked",
            "wheelchair",
            "companion_of_id",
            "holder",
            "section",
            "row",
            "area",
            "whole_table",
            "channel_id",
            "channel__releases_at",
            "category_id",
            "category__price",
        )
    )
    rank = category_ranks((r[-2], r[-1]) for r in rows)
    seats = []
    held = 0
    for (
        sid,
        run,
        position,
        x,
        y,
        code,
        until,
        booking,
        blocked,
        wheelchair,
        companion_of,
        seat_holder,
        section,
        row,
        area,
        whole_table,
        channel_id,
        releases_at,
        category_id,
        _,
    ) in rows:
        status = status_of(
            booking_id=booking, held_until=until, now=now, blocked=blocked
        )
        if status is SeatStatus.HELD and holder is not None and seat_holder == holder:
            held += 1
        if area or whole_table:
            continue  # a standing place, or a table sold whole: never picked
        seats.append(
            LayoutSeat(
                id=sid,
                run=run,
                run_position=position,
                x=x,
                y=y,
                category=code,
                free=status is SeatStatus.AVAILABLE,
                wheelchair=wheelchair,
                companion_of=companion_of,
                rank=rank[category_id],
                section=section,
                row=row,
                kept=channel_id is not None
                and channel_id not in channels
                and channel_active(releases_at, now),
            )
        )
    return seats, held


def category_ranks(categories: Iterable[tuple[int, Decimal]]) -> dict[int, int]:
    """Category id -> rank, 0 the best: the most expensive first; equal
    prices (a plan without prices) keep the categories' order of creation,
    which is the plan's order."""
    ordered = sorted(set(categories), key=lambda c: (-c[1], c[0]))
    return {category_id: i for i, (category_id, _) in enumerate(ordered)}


def enforce_seat_rules(
    *,
    event_id: int,
    holder: str,
    seats: Sequence[Seat],
    taking: Sequence[int] = (),
    freeing: Sequence[int] = (),
    now: datetime,
) -> frozenset[int] | None:
    """Raise unless `holder` taking or freeing these seats keeps the seat rules.

    Returns the seats found taken in the runs the single-seat rule judged
    (None if it judged none): the one-call path has the database check that
    they are still the ones taken, under the runs' locks.

    For requests only (staff may overrule), after their seats are locked:
    `seats` are those locked seats, as `locking.read_seats` gives them (with
    their run, wheelchair and companion columns and the event's
    `avoids_single_seats`), so the common case costs no statement. A
    companion seat stays with its wheelchair space (CompanionSeat) and, when
    the event asks for it, no free seat is newly stranded (SingleSeatLeft);
    see seats.rules. The neighbours read are locked with the seats where
    the event has the single-seat rule (`lock_seats(..., runs=True)`): two
    simultaneous requests in one run take turns, so they cannot together
    strand a seat that neither would alone.
    """
    involved = {*taking, *freeing}
    touched = [
        (s.id, s.run, s.wheelchair, s.companion_of_id)
        for s in seats
        if s.id in involved
    ]
    _refuse_unpaired(touched, holder, taking, freeing, now)
    whole = {s.table for s in seats if s.id in involved and s.whole_table}
    if whole:
        refuse_part_of_table(event_id, whole, holder, taking, freeing, now)
    runs_touched = {run for _, run, _, _ in touched if run}
    if runs_touched and any(getattr(s, "avoids_single_seats", False) for s in seats):
        return _refuse_stranding(event_id, runs_touched, taking, freeing, now)
    return None


def refuse_part_of_table(
    event_id: int,
    tables: set[str],
    holder: str,
    taking: Sequence[int],
    freeing: Sequence[int],
    now: datetime,
    *,
    verb: str = "",
) -> None:
    """Raise WholeTable unless each of these whole tables is, after the
    request, either wholly `holder`'s or none of it (a booking frees what it
    books from the hold: `freeing`, with `verb` "book")."""
    rows = list(
        Seat.objects.filter(event_id=event_id, table__in=tables).values_list(
            "id",
            "table",
            "label",
            "holder",
            "held_until",
            "booking_id",
            "blocked",
            "row",
        )
    )
    taken, freed = set(taking), set(freeing)
    for table in sorted(tables):
        seats = [r for r in rows if r[1] == table]
        mine_before = {
            sid
            for sid, _, _, seat_holder, until, booking, blocked, _ in seats
            if seat_holder == holder
            and status_of(
                booking_id=booking, held_until=until, now=now, blocked=blocked
            )
            is SeatStatus.HELD
        }
        after = (mine_before | taken) - freed
        ids = {r[0] for r in seats}
        if after & ids and not ids <= after:
            left = sorted(ids - after)
            labels = ", ".join(r[2] for r in seats if r[0] in left)
            action = verb or ("hold" if taken & ids else "release")
            raise WholeTable(
                f"{seats[0][7]} is sold whole: {action} all its seats ({labels} too).",
                seat_ids=left,
            )


def _refuse_unpaired(
    touched: Sequence[tuple[int, str, bool, int | None]],
    holder: str,
    taking: Sequence[int],
    freeing: Sequence[int],
    now: datetime,
) -> None:
    """Raise CompanionSeat if one of `holder`'s companion seats would lose its space."""
    companion_of = {sid: space for sid, _, _, space in touched if space is not None}
    freed_spaces = [
        sid for sid, _, wheelchair, _ in touched if wheelchair and sid in freeing
    ]
    if freed_spaces:
        # Freeing a wheelchair space concerns the companions its holder keeps.
        companion_of.update(
            Seat.objects.filter(companion_of__in=freed_spaces)
            .held_by(holder, now)
            .values_list("id", "companion_of_id")
        )
    if not companion_of:
        return
    involved = {*companion_of, *companion_of.values()}
    held = set(
        Seat.objects.filter(id__in=involved)
        .held_by(holder, now)
        .values_list("id", flat=True)
    )
    apart = rules.newly_unpaired(
        companion_of, held_before=held, held_after=(held | set(taking)) - set(freeing)
    )
    if not apart:
        return
    labels = dict(
        Seat.objects.filter(
            id__in=[*apart, *(companion_of[c] for c in apart)]
        ).values_list("id", "label")
    )
    reasons = [
        f"Seat {labels[c]} is a companion seat for wheelchair space "
        f"{labels[companion_of[c]]}: "
        + (
            "hold the wheelchair space first, or together."
            if c in taking
            else "release it too, or keep the wheelchair space."
        )
        for c in apart
    ]
    raise CompanionSeat(" ".join(reasons), seat_ids=apart)


def _refuse_stranding(
    event_id: int,
    run_names: set[str],
    taking: Sequence[int],
    freeing: Sequence[int],
    now: datetime,
) -> frozenset[int]:
    """Raise SingleSeatLeft if the change strands a seat of these runs; else
    the seats of these runs taken before the change."""
    rows = list(
        Seat.objects.filter(event_id=event_id, run__in=run_names).values_list(
            "id", "run", "run_position", "label", "booking_id", "held_until", "blocked"
        )
    )
    taken = {
        sid
        for sid, _, _, _, booking, until, blocked in rows
        if status_of(booking_id=booking, held_until=until, now=now, blocked=blocked)
        is not SeatStatus.AVAILABLE
    }
    stranded = rules.newly_stranded(
        rules.runs((run, position, sid) for sid, run, position, *_ in rows),
        taken_before=taken,
        taken_after=(taken | set(taking)) - set(freeing),
    )
    if not stranded:
        return frozenset(taken)
    labels = {sid: label for sid, _, _, label, *_ in rows}
    names = ", ".join(labels[s] for s in stranded)
    if len(stranded) == 1:
        alone, it = f"seat {names} on its own", "it"
    else:
        alone, it = f"seats {names} on their own", "them"
    remedy = (
        f"take {it} too, or choose seats next to each other"
        if taking
        else f"keep {it}, or release the seats next to {it} too"
    )
    raise SingleSeatLeft(f"That would leave {alone}: {remedy}.", seat_ids=stranded)


def best_settings(event_id: int) -> tuple[bool, list[dict[str, Any]]]:
    """The event's single-seat rule and its plan's drawn areas (for the
    focal point, `seats.focal`), in one read."""
    found = (
        Event.objects.filter(pk=event_id)
        .values_list("avoid_single_seats", "plan__areas")
        .first()
    )
    if found is None:
        return False, []
    avoid, areas = found
    return bool(avoid), list(areas or [])


def avoids_single_seats(event_id: int) -> bool:
    """The event's rule (seats.rules): refuse requests that strand a seat."""
    return bool(
        Event.objects.filter(pk=event_id)
        .values_list("avoid_single_seats", flat=True)
        .first()
    )
