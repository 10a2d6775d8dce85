"""The services against a model: random sequences of holds, releases, extensions,
bookings, sweeps and clock jumps, checked step by step.

A `RuleBasedStateMachine` drives three holders on one small venue. The model
(plain Python, below) predicts every call: on success the exact result, the
seats' new state, the announcements and the activity rows; on failure the
exact `RequestError` subclass (with its seat ids) and that nothing changed. After
every step the database must agree with the model, and the global invariants
(at most SEAT_MAX_PER_HOLDER running seats per holder, no hold on a booked
seat, expires_at <= max_expires_at, one gap-free version per announced
change, no activity row ahead of its event) must hold.

The venue keeps the single-seat rule (seats.rules) on, and the model works
it out on its own rows: a hold or release that would leave a free seat
between two taken ones in a row, where none was before, is refused with
`SingleSeatLeft`; release_all, bookings and sweeps are exempt.

The model follows the services as they are: one hold row per holder and
event, started afresh when it has lapsed, kept while any seat (running or
lapsed) points at it. Two places where that disagrees with docs/protocol.md
are marked in the model and pinned down by strict xfail tests at the end.

A second machine (`SocketSeatMachine`, test_state_machine_sockets.py: a
file of its own, so the two run side by side in a parallel suite) runs the
same model on a venue without the single-seat rule, holding and releasing as
a socket does: on the serving loop first (services.on_loop), the usual
service where that does not answer. On PostgreSQL that covers the click
functions, on the loop's own connections and in the services.

Deterministic (derandomize) and without shrinking: a failure prints its
steps at once. Runs on SQLite and PostgreSQL (DATABASE_URL=postgres://...).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db.models import Q
from django.test import TestCase
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    get_state_machine_test,
    initialize,
    invariant,
    precondition,
    rule,
)

from plans.venues import create_venue
from seats import services
from seats.errors import (
    BadRequest,
    ExtendLimit,
    HoldExpired,
    NoAdjacentSeats,
    NotHolder,
    RequestError,
    SeatsUnavailable,
    SingleSeatLeft,
    TooManySeats,
    UnknownSeat,
)
from seats.models import (
    Activity,
    Booking,
    Event,
    Hold,
    PriceCategory,
    Seat,
    SeatStatus,
    status_of,
)
from seats.picker import LayoutSeat, best_block
from seats.signals import seats_changed
from seats.timefmt import iso
from tests.conftest import T0, snapshot_at

pytestmark = pytest.mark.django_db

HOLDERS = ("alice", "bob", "carol")
HOLD_SECONDS = 300
HOLD_MAX_SECONDS = 900
MAX_PER_HOLDER = 4
ROWS, PER_ROW = 2, 5  # row A premium, row B standard
CATEGORIES = ("premium", "standard")
MICRO = timedelta(microseconds=1)


# The model.


@dataclass
class MHold:
    """The holder's one hold row on the event."""

    created: datetime
    expires: datetime
    max: datetime


@dataclass
class MSeat:
    id: int
    label: str
    row: str
    x: int
    y: int
    category: str
    booked_by: str | None = None
    # Set while the seat points at `holder`'s hold row, running or lapsed.
    holder: str = ""
    until: datetime | None = None

    def status(self, now: datetime) -> SeatStatus:
        if self.booked_by is not None:
            return SeatStatus.BOOKED
        if self.until is not None and self.until > now:
            return SeatStatus.HELD
        return SeatStatus.AVAILABLE

    def held_by(self, holder: str, now: datetime) -> bool:
        return self.status(now) is SeatStatus.HELD and self.holder == holder

    def clear(self) -> None:
        self.holder, self.until = "", None


@dataclass(frozen=True)
class Expected:
    """One change the model expects to be announced and logged."""

    reason: str
    # (seat id, status, holder, held_until) as announced, in primary-key order.
    seats: list[tuple[int, str, str | None, datetime | None]]
    # Who each activity row names, one per seat.
    holders: list[str]


# Collected by a receiver of seats.signals.seats_changed.
_announced: list = []
# (service, outcome class) of every call, to show what the run covered.
_seen: Counter = Counter()


def _record(sender, change, **kwargs):
    _announced.append(change)


def _reset_database() -> None:
    # Children first: seats protect bookings, bookings protect events.
    Activity.objects.all().delete()
    Seat.objects.all().delete()
    Booking.objects.all().delete()
    Hold.objects.all().delete()
    PriceCategory.objects.all().delete()
    Event.objects.all().delete()


class SeatMachine(RuleBasedStateMachine):
    # The venue keeps the single-seat rule (on PostgreSQL its clicks then
    # take the long way and the functions that judge runs).
    AVOID_SINGLE_SEATS = True

    def __init__(self) -> None:
        super().__init__()
        _reset_database()
        self.event = create_venue(
            name="Machine Night",
            rows=ROWS,
            seats_per_row=PER_ROW,
            premium_rows=1,
            avoid_single_seats=self.AVOID_SINGLE_SEATS,
        )
        self.other = create_venue(name="Other Night", rows=1, seats_per_row=2)
        self.now = T0
        self.seats: dict[int, MSeat] = {
            s.id: MSeat(s.id, s.label, s.row, int(s.x), int(s.y), s.category.code)
            for s in Seat.objects.filter(event=self.event)
            .select_related("category")
            .order_by("pk")
        }
        self.ids = sorted(self.seats)
        self.foreign_id = Seat.objects.filter(event=self.other).values_list(
            "id", flat=True
        )[0]
        self.unknown_id = max(self.ids + [self.foreign_id]) + 1000
        self.holds: dict[str, MHold] = {}
        self.bookings: dict[str, tuple[str, list[int]]] = {}
        self.version = 0
        _announced.clear()
        seats_changed.connect(_record, dispatch_uid="tests.state_machine")

    def teardown(self) -> None:
        seats_changed.disconnect(dispatch_uid="tests.state_machine")

    # Calling the services.

    def hold_seats(self, **kwargs):
        return services.hold_seats(**kwargs)

    def release_seats(self, **kwargs):
        return services.release_seats(**kwargs)

    def call(self, service, **kwargs):
        """Run a service at `now` with announcements delivered as on commit.

        Returns ("ok", result) or ("error", RequestError).
        """
        with TestCase.captureOnCommitCallbacks(execute=True):
            try:
                outcome = "ok", service(now=self.now, **kwargs)
            except RequestError as failure:
                outcome = "error", failure
        _seen[(service.__name__, type(outcome[1]).__name__)] += 1
        return outcome

    def expect_failure(self, outcome, error_class, seat_ids=None) -> None:
        kind, value = outcome
        assert kind == "error", f"expected {error_class.__name__}, got {value!r}"
        assert type(value) is error_class, (
            f"expected {error_class.__name__}, got {type(value).__name__}: {value}"
        )
        if seat_ids is not None:
            assert value.seat_ids == sorted(seat_ids), (value.seat_ids, seat_ids)
        # Nothing announced, no version taken (the database check is the
        # invariant: the model did not change).
        assert len(_announced) == self.version
        assert Event.objects.get(pk=self.event.id).version == self.version

    def expect_success(self, outcome, changes: list[Expected]):
        kind, value = outcome
        assert kind == "ok", f"expected success, got {value!r}"
        fresh = _announced[self.version :]
        assert len(fresh) == len(changes), (fresh, changes)
        for change, expected in zip(fresh, changes, strict=True):
            self.version += 1
            assert change.event_id == self.event.id
            assert change.version == self.version
            assert change.reason == expected.reason
            assert change.at == self.now
            assert change.holders == tuple(sorted(set(expected.holders)))
            assert [
                (s.id, s.status.value, s.holder, s.held_until) for s in change.seats
            ] == [(i, st_, h, u) for i, st_, h, u in expected.seats]
            assert [s.label for s in change.seats] == [
                self.seats[i].label for i, *_ in expected.seats
            ]
            rows = list(
                Activity.objects.filter(event=self.event, version=self.version)
                .order_by("seat_id")
                .values_list("seat_id", "kind", "holder", "at")
            )
            assert rows == sorted(
                (i, expected.reason, h, self.now)
                for (i, *_), h in zip(expected.seats, expected.holders, strict=True)
            )
        return value

    # Model helpers.

    def running_hold(self, holder: str) -> MHold | None:
        hold = self.holds.get(holder)
        return hold if hold is not None and hold.expires > self.now else None

    def held_count(self, holder: str) -> int:
        return sum(s.held_by(holder, self.now) for s in self.seats.values())

    def drop_if_empty(self, holders: set[str]) -> None:
        used = {s.holder for s in self.seats.values()}
        for holder in holders - used:
            del self.holds[holder]

    def unknown(self, wanted: list[int]) -> list[int]:
        return [i for i in wanted if i not in self.seats]

    def draw_holder(self, data) -> str:
        """Any holder, but more often one who holds seats right now."""
        holding = sorted({s.holder for s in self.seats.values() if s.holder})
        running = [h for h in holding if self.running_hold(h)]
        pools = [st.sampled_from(HOLDERS)]
        if holding:
            pools.append(st.sampled_from(holding))
        if running:
            pools += [st.sampled_from(running)] * 2
        return data.draw(st.one_of(pools), label="holder")

    def draw_ids(self, data, holder: str) -> list[int]:
        """Seat ids to name, mostly ones that may work: the holder's running
        seats, free ones, the holder's lapsed ones; sometimes any, or odd ids."""
        running = [i for i in self.ids if self.seats[i].held_by(holder, self.now)]
        mine = [i for i in self.ids if self.seats[i].holder == holder]
        usable = running + [
            i
            for i in self.ids
            if self.seats[i].status(self.now) is SeatStatus.AVAILABLE
        ]
        pools = [st.lists(st.sampled_from(self.ids), max_size=5)]
        for ids, weight in ((usable, 2), (running, 3), (mine, 1)):
            if ids:
                pools += [st.lists(st.sampled_from(ids), min_size=1, max_size=4)] * (
                    weight
                )
        if running:
            pools.append(st.just(running))
        ids = data.draw(st.one_of(pools), label="seat_ids")
        if data.draw(st.integers(0, 11), label="odd") == 0:
            odd = data.draw(
                st.sampled_from([self.unknown_id, self.foreign_id, 0, -1]),
                label="odd_id",
            )
            ids = [*ids, odd]
        return ids

    def draw_running(self, data, holder: str) -> list[int]:
        """Some of the holder's running seats (now and then one more seat)."""
        running = [i for i in self.ids if self.seats[i].held_by(holder, self.now)]
        ids = data.draw(
            st.lists(st.sampled_from(running), min_size=1, max_size=len(running)),
            label="seat_ids",
        )
        if data.draw(st.integers(0, 5), label="one_more") == 0:
            ids.append(data.draw(st.sampled_from(self.ids), label="more"))
        return ids

    def newly_stranded(
        self, *, taking: list[int] = (), freeing: list[int] = ()
    ) -> list[int]:
        """Seats the change would leave alone between two taken ones in a row."""
        if not self.AVOID_SINGLE_SEATS:
            return []
        at = {(s.y, s.x): s.id for s in self.seats.values()}

        def stranded(taken: set[int]) -> set[int]:
            return {
                s.id
                for s in self.seats.values()
                if s.id not in taken
                and at.get((s.y, s.x - 1)) in taken
                and at.get((s.y, s.x + 1)) in taken
            }

        taken = {
            i
            for i in self.ids
            if self.seats[i].status(self.now) is not SeatStatus.AVAILABLE
        }
        after = (taken | set(taking)) - set(freeing)
        return sorted(stranded(after) - stranded(taken))

    def layout(self) -> list[LayoutSeat]:
        return [
            LayoutSeat(
                id=s.id,
                run=f"Stalls/{s.row}",
                run_position=s.x,
                x=s.x,
                y=s.y,
                category=s.category,
                free=s.status(self.now) is SeatStatus.AVAILABLE,
            )
            for s in self.seats.values()
        ]

    def take(self, holder: str, wanted: list[int]) -> tuple[MHold, list[Expected]]:
        """hold_seats on seats the model has checked: the new state and changes."""
        new = [i for i in wanted if not self.seats[i].held_by(holder, self.now)]
        # A row with no running seat starts afresh, like a lapsed one (see
        # test_a_hold_after_releasing_everything_runs_full_time).
        hold = self.running_hold(holder)
        if not any(self.seats[i].held_by(holder, self.now) for i in self.ids):
            hold = None
        changes = []
        if hold is None:
            # Created, or (a spent row) started afresh: its lapsed, unswept
            # seats end first, as an expiry of the old hold.
            own_lapsed = [
                i
                for i in self.ids
                if self.seats[i].holder == holder
                and self.seats[i].booked_by is None
                and not self.seats[i].held_by(holder, self.now)
            ]
            if own_lapsed:
                changes.append(
                    Expected(
                        "expired",
                        [(i, "available", None, None) for i in own_lapsed],
                        [holder] * len(own_lapsed),
                    )
                )
                for i in own_lapsed:
                    self.seats[i].holder, self.seats[i].until = "", None
            hold = self.holds[holder] = MHold(
                self.now,
                self.now + timedelta(seconds=HOLD_SECONDS),
                self.now + timedelta(seconds=HOLD_MAX_SECONDS),
            )
        lapsed = [i for i in new if self.seats[i].holder]
        if lapsed:
            changes.append(
                Expected(
                    "expired",
                    [(i, "available", None, None) for i in lapsed],
                    [self.seats[i].holder for i in lapsed],
                )
            )
        if new:
            changes.append(
                Expected(
                    "held",
                    [(i, "held", holder, hold.expires) for i in new],
                    [holder] * len(new),
                )
            )
        for i in new:
            seat = self.seats[i]
            seat.holder, seat.until = holder, hold.expires
        return hold, changes

    def check_own_running(self, holder: str, wanted: list[int]):
        """The error release/book must raise, or None."""
        not_mine = [
            i
            for i in wanted
            if self.seats[i].holder != holder or self.seats[i].booked_by is not None
        ]
        if not_mine:
            return NotHolder, not_mine
        lapsed = [
            i for i in wanted if self.seats[i].status(self.now) is not SeatStatus.HELD
        ]
        if lapsed:
            return HoldExpired, lapsed
        return None

    def running_holders(self) -> list[str]:
        return [h for h in HOLDERS if self.held_count(h)]

    # Rules. Each one: call, then check the outcome the model predicts.

    @initialize(data=st.data())
    def seed(self, data):
        """Start with some seats held: most interesting steps need a hold."""
        for holder in HOLDERS:
            if data.draw(st.booleans(), label=f"seed {holder}"):
                self.do_hold(holder, self.draw_ids(data, holder))

    @rule(holder=st.sampled_from(HOLDERS), data=st.data())
    def hold(self, holder, data):
        self.do_hold(holder, self.draw_ids(data, holder))

    def do_hold(self, holder: str, ids: list[int]) -> None:
        outcome = self.call(
            self.hold_seats, event_id=self.event.id, holder=holder, seat_ids=ids
        )
        wanted = sorted(set(ids))
        if not wanted:
            return self.expect_failure(outcome, BadRequest)
        if missing := self.unknown(wanted):
            return self.expect_failure(outcome, UnknownSeat, missing)
        taken = [
            i
            for i in wanted
            if self.seats[i].status(self.now) is not SeatStatus.AVAILABLE
            and not self.seats[i].held_by(holder, self.now)
        ]
        if taken:
            return self.expect_failure(outcome, SeatsUnavailable, taken)
        new = [i for i in wanted if not self.seats[i].held_by(holder, self.now)]
        if new and self.held_count(holder) + len(new) > MAX_PER_HOLDER:
            return self.expect_failure(outcome, TooManySeats, new)
        if stranded := self.newly_stranded(taking=new):
            return self.expect_failure(outcome, SingleSeatLeft, stranded)
        hold, changes = self.take(holder, wanted)
        result = self.expect_success(outcome, changes)
        assert result.seat_ids == wanted
        assert result.held_until == hold.expires
        assert result.max_until == hold.max

    @rule(holder=st.sampled_from(HOLDERS), data=st.data())
    def hold_one_past_the_limit(self, holder, data):
        """Free seats, one more than the holder may still take: only the
        per-holder limit stands between this request and success, so a
        limit that let one more through fails the run within a few steps
        (random picks reach the boundary rarely)."""
        room = MAX_PER_HOLDER - self.held_count(holder)
        free = [
            i
            for i, seat in sorted(self.seats.items())
            if seat.status(self.now) is SeatStatus.AVAILABLE
        ]
        if len(free) <= room:
            return
        start = data.draw(st.integers(0, len(free) - room - 1), label="from")
        self.do_hold(holder, free[start : start + room + 1])

    @rule(
        holder=st.sampled_from(HOLDERS),
        category=st.sampled_from([None, *CATEGORIES]),
    )
    def hold_best_one_past_the_limit(self, holder, category):
        """`hold_best` for one seat more than the holder may still take."""
        self.do_hold_best(
            holder, MAX_PER_HOLDER - self.held_count(holder) + 1, category
        )

    @rule(
        holder=st.sampled_from(HOLDERS),
        count=st.integers(-1, MAX_PER_HOLDER + 1),
        category=st.sampled_from([None, None, *CATEGORIES, "balcony"]),
    )
    def hold_best(self, holder, count, category):
        self.do_hold_best(holder, count, category)

    def do_hold_best(self, holder: str, count: int, category: str | None) -> None:
        outcome = self.call(
            services.hold_best,
            event_id=self.event.id,
            holder=holder,
            count=count,
            category=category,
        )
        # The service's order: the count alone, the category, then the
        # count against what the holder has.
        if not 1 <= count <= MAX_PER_HOLDER:
            return self.expect_failure(outcome, TooManySeats)
        if category is not None and category not in CATEGORIES:
            return self.expect_failure(outcome, BadRequest)
        if count > MAX_PER_HOLDER - self.held_count(holder):
            return self.expect_failure(outcome, TooManySeats)
        # Any block at all? Worked out here, independently of the picker.
        free = {
            (s.y, s.x)
            for s in self.seats.values()
            if s.status(self.now) is SeatStatus.AVAILABLE
            and category in (None, s.category)
        }
        by_place = {(s.y, s.x): s.id for s in self.seats.values()}
        possible = any(
            all((y, x + k) in free for k in range(count))
            and not self.newly_stranded(
                taking=[by_place[(y, x + k)] for k in range(count)]
            )
            for y, x in free
        )
        if not possible:
            return self.expect_failure(outcome, NoAdjacentSeats)
        kind, result = outcome
        assert kind == "ok", f"expected a block of {count}, got {result!r}"
        chosen = result.seat_ids
        seats = [self.seats[i] for i in chosen]
        # The weak rule: count adjacent seats of one row, all free before.
        assert len(chosen) == count == len(set(chosen))
        assert len({s.y for s in seats}) == 1
        assert sorted(s.x for s in seats) == list(range(seats[0].x, seats[0].x + count))
        assert all(s.status(self.now) is SeatStatus.AVAILABLE for s in seats)
        assert all(category in (None, s.category) for s in seats)
        assert not self.newly_stranded(taking=chosen)
        # The strong one: the picker's choice on the model's view of the venue.
        assert chosen == best_block(self.layout(), count, category=category)
        hold, changes = self.take(holder, sorted(chosen))
        self.expect_success(outcome, changes)
        assert result.held_until == hold.expires
        assert result.max_until == hold.max

    @rule(data=st.data())
    def release(self, data):
        holder = self.draw_holder(data)
        self.do_release(holder, self.draw_ids(data, holder))

    @precondition(running_holders)
    @rule(data=st.data())
    def release_running(self, data):
        holder = data.draw(st.sampled_from(self.running_holders()), label="holder")
        self.do_release(holder, self.draw_running(data, holder))

    def do_release(self, holder: str, ids: list[int]) -> None:
        outcome = self.call(
            self.release_seats, event_id=self.event.id, holder=holder, seat_ids=ids
        )
        wanted = sorted(set(ids))
        if not wanted:
            return self.expect_failure(outcome, BadRequest)
        if missing := self.unknown(wanted):
            return self.expect_failure(outcome, UnknownSeat, missing)
        if refused := self.check_own_running(holder, wanted):
            return self.expect_failure(outcome, *refused)
        if stranded := self.newly_stranded(freeing=wanted):
            return self.expect_failure(outcome, SingleSeatLeft, stranded)
        self.free(holder, wanted)
        result = self.expect_success(
            outcome,
            [
                Expected(
                    "released",
                    [(i, "available", None, None) for i in wanted],
                    [holder] * len(wanted),
                )
            ],
        )
        assert result == wanted

    def free(self, holder: str, wanted: list[int]) -> None:
        for i in wanted:
            self.seats[i].clear()
        self.drop_if_empty({holder})

    @rule(data=st.data())
    def release_all(self, data):
        holder = self.draw_holder(data)
        outcome = self.call(services.release_all, event_id=self.event.id, holder=holder)
        ids = [i for i in self.ids if self.seats[i].held_by(holder, self.now)]
        if not ids:
            assert self.expect_success(outcome, []) == []
            return
        self.free(holder, ids)
        result = self.expect_success(
            outcome,
            [
                Expected(
                    "released",
                    [(i, "available", None, None) for i in ids],
                    [holder] * len(ids),
                )
            ],
        )
        assert result == ids

    @rule(data=st.data())
    def extend(self, data):
        self.do_extend(self.draw_holder(data))

    @precondition(running_holders)
    @rule(data=st.data())
    def extend_running(self, data):
        """Some time on, extend a running hold."""
        holder = data.draw(st.sampled_from(self.running_holders()), label="holder")
        self.now += timedelta(seconds=data.draw(st.integers(0, 200), label="later"))
        self.do_extend(holder)

    def do_extend(self, holder: str) -> None:
        outcome = self.call(services.extend_hold, event_id=self.event.id, holder=holder)
        hold = self.running_hold(holder)
        running = any(self.seats[i].held_by(holder, self.now) for i in self.ids)
        if hold is None or not running:
            if any(s.holder == holder for s in self.seats.values()):
                return self.expect_failure(outcome, HoldExpired)
            return self.expect_failure(outcome, NotHolder)
        new_expiry = min(self.now + timedelta(seconds=HOLD_SECONDS), hold.max)
        if new_expiry <= hold.expires:
            return self.expect_failure(outcome, ExtendLimit)
        hold.expires = new_expiry
        # Only running seats move: a lapsed seat pointing at a renewed row
        # stays lapsed (with none running, extend is refused above).
        ids = [i for i in self.ids if self.seats[i].held_by(holder, self.now)]
        for i in ids:
            self.seats[i].until = new_expiry
        changes = (
            [
                Expected(
                    "extended",
                    [(i, "held", holder, new_expiry) for i in ids],
                    [holder] * len(ids),
                )
            ]
            if ids
            else []
        )
        result = self.expect_success(outcome, changes)
        assert result.seat_ids == ids
        assert result.held_until == new_expiry
        assert result.max_until == hold.max

    @rule(data=st.data())
    def book(self, data):
        holder = self.draw_holder(data)
        self.do_book(holder, self.draw_ids(data, holder))

    @precondition(running_holders)
    @rule(data=st.data())
    def book_running(self, data):
        holder = data.draw(st.sampled_from(self.running_holders()), label="holder")
        self.do_book(holder, self.draw_running(data, holder))

    def do_book(self, holder: str, ids: list[int]) -> None:
        outcome = self.call(
            services.book_seats, event_id=self.event.id, holder=holder, seat_ids=ids
        )
        wanted = sorted(set(ids))
        if not wanted:
            return self.expect_failure(outcome, BadRequest)
        if missing := self.unknown(wanted):
            return self.expect_failure(outcome, UnknownSeat, missing)
        if refused := self.check_own_running(holder, wanted):
            return self.expect_failure(outcome, *refused)
        self.free(holder, wanted)
        for i in wanted:
            self.seats[i].booked_by = holder
        result = self.expect_success(
            outcome,
            [
                Expected(
                    "booked",
                    [(i, "booked", None, None) for i in wanted],
                    [holder] * len(wanted),
                )
            ],
        )
        assert result.seat_ids == wanted
        assert re.fullmatch(r"BK-[2-9A-HJKMNP-Z]{8}", result.reference)
        assert result.reference not in self.bookings
        self.bookings[result.reference] = (holder, wanted)

    @rule()
    def sweep(self):
        outcome = self.call(services.release_expired)
        lapsed = [
            i
            for i in self.ids
            if self.seats[i].holder and self.seats[i].until <= self.now
        ]
        former = [self.seats[i].holder for i in lapsed]
        for i in lapsed:
            self.seats[i].clear()
        used = {s.holder for s in self.seats.values()}
        for holder, hold in list(self.holds.items()):
            if hold.expires <= self.now and holder not in used:
                del self.holds[holder]
        changes = (
            [
                Expected(
                    "expired",
                    [(i, "available", None, None) for i in lapsed],
                    former,
                )
            ]
            if lapsed
            else []
        )
        result = self.expect_success(outcome, changes)
        if lapsed:
            _seen[("release_expired", "some seats")] += 1
        assert [(r.seat_id, r.event_id, r.holder) for r in result] == [
            (i, self.event.id, h) for i, h in zip(lapsed, former, strict=True)
        ]
        assert all(r.label == self.seats[r.seat_id].label for r in result)

    @rule(data=st.data())
    def tick(self, data):
        """Move the clock on by some seconds, mostly less than a hold lasts."""
        seconds = data.draw(
            st.one_of([st.integers(0, 120)] * 3 + [st.integers(121, 1000)]),
            label="seconds",
        )
        self.now += timedelta(seconds=seconds)

    def moments_ahead(self) -> list[datetime]:
        """Expiries and maximums still to come (with a microsecond to spare)."""
        moments = {s.until for s in self.seats.values() if s.until is not None}
        moments |= {h.expires for h in self.holds.values()}
        moments |= {h.max for h in self.holds.values()}
        return sorted(m for m in moments if m - MICRO > self.now)

    @precondition(moments_ahead)
    @rule(data=st.data())
    def tick_to_an_expiry(self, data):
        """Move the clock to exactly an expiry, or a microsecond either side."""
        moment = data.draw(st.sampled_from(self.moments_ahead()), label="moment")
        offset = data.draw(st.sampled_from([timedelta(0), -MICRO, MICRO]))
        self.now = moment + offset

    @precondition(
        lambda self: any(s.until and s.until > self.now for s in self.seats.values())
    )
    @rule()
    def sweep_at_the_first_expiry(self):
        """The clock reaches the first running seat's expiry exactly; sweep."""
        self.now = min(
            s.until for s in self.seats.values() if s.until and s.until > self.now
        )
        self.check_all()
        self.sweep()

    @precondition(lambda self: any(s.until for s in self.seats.values()))
    @rule()
    def tick_past_everything(self):
        """Let every hold lapse at once."""
        self.now = max(h.max for h in self.holds.values()) + timedelta(seconds=1)

    # Rules aimed at outcomes a random walk reaches only now and then.

    def lapsed(self) -> list[int]:
        """Seats whose hold ran out and that no sweep has freed yet."""
        return [
            i
            for i in self.ids
            if self.seats[i].holder and self.seats[i].until <= self.now
        ]

    @precondition(lapsed)
    @rule(data=st.data())
    def release_or_book_lapsed(self, data):
        """The holder acts on seats whose hold has run out (not swept yet)."""
        seat = self.seats[data.draw(st.sampled_from(self.lapsed()), label="lapsed")]
        ids = [seat.id] + data.draw(
            st.lists(st.sampled_from(self.ids), max_size=2), label="more"
        )
        if data.draw(st.booleans(), label="book"):
            self.do_book(seat.holder, ids)
        else:
            self.do_release(seat.holder, ids)

    def taken(self) -> list[int]:
        return [
            i
            for i in self.ids
            if self.seats[i].status(self.now) is not SeatStatus.AVAILABLE
        ]

    @precondition(taken)
    @rule(data=st.data())
    def hold_a_taken_seat(self, data):
        """Someone asks for a seat that is held or booked (by anyone)."""
        holder = data.draw(st.sampled_from(HOLDERS), label="holder")
        ids = [data.draw(st.sampled_from(self.taken()), label="taken")]
        ids += data.draw(st.lists(st.sampled_from(self.ids), max_size=2), label="more")
        self.do_hold(holder, ids)

    def free_seats(self) -> list[int]:
        return [
            i
            for i in self.ids
            if self.seats[i].status(self.now) is SeatStatus.AVAILABLE
        ]

    @precondition(lambda self: len(self.free_seats()) > MAX_PER_HOLDER)
    @rule(data=st.data())
    def hold_past_the_limit(self, data):
        """A holder asks for one free seat more than the limit leaves them."""
        holder = data.draw(st.sampled_from(HOLDERS), label="holder")
        room = MAX_PER_HOLDER - self.held_count(holder)
        free = self.free_seats()
        start = data.draw(st.integers(0, len(free) - room - 1), label="start")
        self.do_hold(holder, free[start : start + room + 1])

    def longest_free_run(self, category: str | None) -> int:
        free = {
            (s.y, s.x)
            for s in self.seats.values()
            if s.status(self.now) is SeatStatus.AVAILABLE
            and category in (None, s.category)
        }
        longest = 0
        for y, x in free:
            if (y, x - 1) not in free:
                n = 1
                while (y, x + n) in free:
                    n += 1
                longest = max(longest, n)
        return longest

    def too_long_asks(self) -> list[tuple[str, str | None, int]]:
        """(holder, category, count): counts the holder may ask for, one more
        than the longest free stretch (of the category)."""
        return [
            (holder, category, self.longest_free_run(category) + 1)
            for holder in HOLDERS
            for category in (None, *CATEGORIES)
            if MAX_PER_HOLDER - self.held_count(holder)
            > self.longest_free_run(category)
        ]

    @precondition(too_long_asks)
    @rule(data=st.data())
    def hold_best_longer_than_any_gap(self, data):
        """hold_best for one seat more than the longest free stretch."""
        holder, category, count = data.draw(
            st.sampled_from(self.too_long_asks()), label="ask"
        )
        self.do_hold_best(holder, count, category)

    @precondition(running_holders)
    @rule(data=st.data())
    def extend_to_the_limit(self, data):
        """Extend a running hold again and again, each time shortly before it
        ends, until it reaches its maximum."""
        holder = data.draw(st.sampled_from(self.running_holders()), label="holder")
        for _ in range(5):
            hold = self.holds[holder]
            before = data.draw(st.integers(0, 60), label="before the end")
            self.now = max(self.now, hold.expires - timedelta(seconds=before))
            self.do_extend(holder)
            if hold.expires >= hold.max:
                self.do_extend(holder)  # once more, at the limit
                return

    def lapsed_holders(self) -> list[str]:
        return sorted({self.seats[i].holder for i in self.lapsed()})

    @precondition(lambda self: self.lapsed_holders() and self.free_seats())
    @rule(data=st.data())
    def hold_again_then_extend(self, data):
        """A holder whose seats lapsed unswept holds a free seat (the row starts
        afresh, the lapsed seats still point at it), then extends."""
        holder = data.draw(st.sampled_from(self.lapsed_holders()), label="holder")
        seat = data.draw(st.sampled_from(self.free_seats()), label="seat")
        self.do_hold(holder, [seat])
        self.now += timedelta(seconds=data.draw(st.integers(1, 200), label="later"))
        self.do_extend(holder)

    # Invariants.

    def check_all(self) -> None:
        self.database_agrees_with_model()
        self.snapshot_agrees_with_model()
        self.limits_hold()
        self.versions_are_gap_free()

    @invariant()
    def database_agrees_with_model(self):
        rows = {
            r["id"]: r
            for r in Seat.objects.filter(event=self.event).values(
                "id",
                "hold_id",
                "holder",
                "held_until",
                "booking_id",
                "booking__holder",
                "booking__reference",
            )
        }
        assert sorted(rows) == self.ids
        # Holds: one row per holder, pointed at by the same seats.
        db_holds = {h.id: h for h in Hold.objects.all()}
        by_holder = {h.holder: h for h in db_holds.values()}
        assert len(by_holder) == len(db_holds)
        assert {
            h.holder: (h.created_at, h.expires_at, h.max_expires_at)
            for h in db_holds.values()
        } == {holder: (h.created, h.expires, h.max) for holder, h in self.holds.items()}
        for i in self.ids:
            row, seat = rows[i], self.seats[i]
            assert row["holder"] == seat.holder, (seat.label, row, seat)
            assert row["held_until"] == seat.until, (seat.label, row, seat)
            assert row["booking__holder"] == seat.booked_by, (seat.label, row, seat)
            if seat.holder:
                hold = db_holds[row["hold_id"]]
                assert hold.holder == seat.holder, (seat.label, row, hold)
                # A seat never runs longer than the row it points at.
                assert seat.until <= hold.expires_at, (seat.label, row, hold)
            else:
                assert row["hold_id"] is None, (seat.label, row)
            status = status_of(
                booking_id=row["booking_id"], held_until=row["held_until"], now=self.now
            )
            assert status is seat.status(self.now), (seat.label, status, seat)
        # Bookings: every one the model knows, each with its seats.
        booked: dict[str, tuple[str, list[int]]] = {}
        for i in self.ids:
            if rows[i]["booking_id"] is not None:
                reference = rows[i]["booking__reference"]
                booked.setdefault(reference, (rows[i]["booking__holder"], []))[
                    1
                ].append(i)
        assert booked == self.bookings
        assert Booking.objects.count() == len(self.bookings)
        for hold in db_holds.values():
            assert hold.expires_at <= hold.max_expires_at, hold
            assert hold.max_expires_at - hold.created_at == timedelta(
                seconds=HOLD_MAX_SECONDS
            ), hold

    @invariant()
    def snapshot_agrees_with_model(self):
        snapshot = snapshot_at(self.event.id, None, self.now)
        assert snapshot["version"] == self.version
        seen = {
            s["id"]: (s["status"], s["holder"], s["held_until"])
            for s in snapshot["seats"]
        }
        expected = {}
        shown: dict[str, str] = {}  # model holder -> the id the snapshot shows
        for seat in self.seats.values():
            status = seat.status(self.now)
            held = status is SeatStatus.HELD
            public = seen[seat.id][1]
            if held:
                # The wire may show a per-event alias of the holder: one
                # alias per holder, never shared, never the empty string.
                assert public and shown.setdefault(seat.holder, public) == public
            expected[seat.id] = (
                status.value,
                public if held else None,
                iso(seat.until) if held else None,
            )
        assert seen == expected
        assert len(set(shown.values())) == len(shown), shown

    @invariant()
    def limits_hold(self):
        # Straight from the database, whatever the model says.
        running = Counter(
            Seat.objects.held_at(self.now).values_list("holder", flat=True)
        )
        assert all(n <= MAX_PER_HOLDER for n in running.values()), running
        # A booked seat carries no hold (the check constraint's promise).
        assert not Seat.objects.filter(
            Q(hold__isnull=False) | Q(held_until__isnull=False) | ~Q(holder=""),
            booking__isnull=False,
        ).exists()

    @invariant()
    def versions_are_gap_free(self):
        versions = dict(Event.objects.values_list("id", "version"))
        assert versions == {self.event.id: self.version, self.other.id: 0}
        assert [c.version for c in _announced] == list(range(1, self.version + 1))
        # Every version left activity rows, and none is ahead of its event.
        logged = set(Activity.objects.values_list("event_id", "version").distinct())
        assert logged == {(self.event.id, v) for v in range(1, self.version + 1)}


def use_machine_settings(settings):
    """The limits the model assumes, whatever the environment says."""
    settings.SEAT_HOLD_SECONDS = HOLD_SECONDS
    settings.SEAT_HOLD_MAX_SECONDS = HOLD_MAX_SECONDS
    settings.SEAT_MAX_PER_HOLDER = MAX_PER_HOLDER
    return settings


@pytest.fixture
def machine_settings(settings):
    return use_machine_settings(settings)


# How much of the machine a run explores. The default, derandomized, is the
# suite's; `make test-long` runs many more examples under several seeds
# (SEATS_MACHINE_EXAMPLES, SEATS_MACHINE_SEEDS=1,2,3).
EXAMPLES = int(os.environ.get("SEATS_MACHINE_EXAMPLES") or 40)
# pytest-timeout's bound for a run of the machine: several times what it
# takes on a machine busy with the rest of the suite.
MACHINE_TIMEOUT = 480
SEEDS = [int(s) for s in os.environ.get("SEATS_MACHINE_SEEDS", "").split(",") if s]


def run_machine(
    seed: int | None, machine: type[SeatMachine] = SeatMachine, examples: int = EXAMPLES
) -> None:
    machine_test = get_state_machine_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=40,
            deadline=None,
            derandomize=seed is None,
            database=None,
            # No shrinking: a failing run prints its steps at once (shrinking
            # a database-backed machine takes minutes, past pytest-timeout).
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
        _flaky_state={"selecting_rule": False},
    )
    if seed is not None:
        machine_test = hypothesis_seed(seed)(machine_test)
    machine_test()


# Forty examples of forty steps: 30–43 s in a whole-suite run, 79 s with
# two busy loops beside the suite, 121 s with three (past the suite's 120 s
# hang guard). The guard is for hangs, not for a loaded machine.
@pytest.mark.timeout(MACHINE_TIMEOUT)
@pytest.mark.parametrize("seed", SEEDS or [None], ids=lambda s: f"seed-{s}")
def test_services_follow_the_model(machine_settings, seed):
    _seen.clear()
    run_machine(seed)
    assert_all_reached()


def assert_all_reached(single_seats: bool = True) -> None:
    """The run reached every service's success and every error (a machine
    whose steps all fail early would pass while checking little)."""
    successes = {
        ("hold_seats", "HoldResult"),
        ("hold_best", "HoldResult"),
        ("release_seats", "list"),
        ("extend_hold", "HoldResult"),
        ("book_seats", "BookingResult"),
        ("release_expired", "some seats"),
    }
    errors = {
        "BadRequest",
        "UnknownSeat",
        "SeatsUnavailable",
        "TooManySeats",
        "NotHolder",
        "HoldExpired",
        "ExtendLimit",
        "NoAdjacentSeats",
        *(["SingleSeatLeft"] if single_seats else []),
    }
    reached = {key for key, count in _seen.items() if count}
    missing = sorted(map(str, successes - reached)) + sorted(
        errors - {outcome for _, outcome in reached}
    )
    assert not missing, f"never reached: {missing}; seen: {dict(_seen)}"


# A row kept alive only by a lapsed, unswept seat (after the holder released
# its last running seat): nothing is held, whatever the sweeper has done.


def _leftover_row(event_id: int, ids: list[int], *, sweep: bool = False) -> None:
    """alice ends up holding nothing, her row kept alive by a lapsed seat."""
    services.hold_seats(event_id=event_id, holder="alice", seat_ids=ids[:1], now=T0)
    # A1 lapses unswept; holding A2 starts the row afresh (until +601 s).
    services.hold_seats(
        event_id=event_id, holder="alice", seat_ids=ids[1:2], now=T0 + _s(301)
    )
    if sweep:
        services.release_expired(now=T0 + _s(301))
    services.release_seats(
        event_id=event_id, holder="alice", seat_ids=ids[1:2], now=T0 + _s(302)
    )


def _s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


@pytest.fixture
def small_venue(machine_settings) -> tuple[int, list[int]]:
    event = create_venue(name="Small Night", rows=1, seats_per_row=5)
    ids = list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )
    return event.id, ids


def test_extend_with_nothing_held_is_refused(small_venue):
    event_id, ids = small_venue
    _leftover_row(event_id, ids)
    with pytest.raises((NotHolder, HoldExpired)):
        services.extend_hold(event_id=event_id, holder="alice", now=T0 + _s(303))


@pytest.mark.parametrize(
    "sweep",
    [
        pytest.param(False, id="unswept"),
        pytest.param(True, id="swept"),
    ],
)
def test_a_hold_after_releasing_everything_runs_full_time(small_venue, sweep):
    event_id, ids = small_venue
    _leftover_row(event_id, ids, sweep=sweep)
    # Nothing held, so the snapshot shows no hold of alice's...
    assert snapshot_at(event_id, "alice", T0 + _s(600))["hold"] is None
    # ...and a new hold is a new hold: SEAT_HOLD_SECONDS from now.
    result = services.hold_seats(
        event_id=event_id, holder="alice", seat_ids=ids[2:3], now=T0 + _s(600)
    )
    assert result.held_until == T0 + _s(600 + HOLD_SECONDS)
