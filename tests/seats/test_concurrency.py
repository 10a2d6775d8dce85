"""Races between real threads on the real database: one outcome per seat."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection

from seats import services
from seats.errors import RequestError
from seats.models import Activity, Booking, Seat
from tests.conftest import later

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16
ROUNDS = 6


def race(*calls: Callable[[], object]) -> list[tuple[str, object]]:
    """Run the calls in threads released together; each gives ("ok", result),
    ("refused", RequestError) or ("crashed", any other exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object]] = [("not run", None)] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except RequestError as error:
            outcomes[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - reported by the test
            outcomes[index] = ("crashed", error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def hold_call(event, holder, ids, at):
    return partial(
        services.hold_seats,
        event_id=event.id,
        holder=holder,
        seat_ids=ids,
        now=later(at),
    )


@pytest.mark.parametrize("seats_per_request", [1, 3])
def test_many_holders_racing_for_the_same_seats_get_exactly_one_winner(
    event, seat_ids, announcements, seats_per_request
):
    wanted = seat_ids[:seats_per_request]
    for round_ in range(ROUNDS):
        # Each round starts after the previous winner's hold lapsed.
        at = round_ * 1000
        holders = [f"r{round_}-h{i}" for i in range(THREADS)]

        outcomes = race(*(hold_call(event, h, wanted, at=at) for h in holders))

        assert [o for o in outcomes if o[0] not in ("ok", "refused")] == []
        winners = [
            h for h, (kind, _) in zip(holders, outcomes, strict=True) if kind == "ok"
        ]
        assert len(winners) == 1, outcomes
        for kind, error in outcomes:
            if kind == "refused":
                assert error.code == "seats_unavailable"
                assert error.seat_ids == wanted
        assert set(
            Seat.objects.filter(pk__in=wanted).values_list("holder", flat=True)
        ) == {winners[0]}
        held_rows = Activity.objects.filter(kind="held", at=later(at))
        assert sorted(held_rows.values_list("seat_id", flat=True)) == wanted
        assert set(held_rows.values_list("holder", flat=True)) == {winners[0]}

    # One `held` announcement per winner, and one `expired` for each earlier
    # winner whose lapsed hold the next winner took over; versions without
    # gaps or repeats.
    held = [c for c in announcements if c.reason == "held"]
    assert [c.holders[0].split("-")[0] for c in held] == [
        f"r{r}" for r in range(ROUNDS)
    ]
    expired = [c for c in announcements if c.reason == "expired"]
    assert [c.holders[0].split("-")[0] for c in expired] == [
        f"r{r}" for r in range(ROUNDS - 1)
    ]
    assert sorted(c.version for c in announcements) == list(range(1, 2 * ROUNDS))


def test_overlapping_holds_in_opposite_orders_never_double_hold(
    make_event, hold_settings, announcements
):
    event = make_event(rows=2, seats_per_row=8)
    seat_ids = list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )
    rng = random.Random(1234)
    for round_ in range(ROUNDS):
        # Round r happens after every earlier hold lapsed: all seats free again.
        at = round_ * 1000
        requests = {}
        for i in range(THREADS):
            window = seat_ids[i % 12 : i % 12 + 5]
            if i % 2:
                window.reverse()
            elif i % 4 == 0:
                rng.shuffle(window)
            requests[f"r{round_}-h{i}"] = window

        outcomes = race(
            *(hold_call(event, h, ids, at=at) for h, ids in requests.items())
        )

        assert [o for o in outcomes if o[0] not in ("ok", "refused")] == []
        holder_of = dict(
            Seat.objects.filter(event=event, held_until__gt=later(at)).values_list(
                "id", "holder"
            )
        )
        won = Counter()
        for (holder, ids), (kind, value) in zip(
            requests.items(), outcomes, strict=True
        ):
            if kind == "ok":
                # All of it ...
                assert all(holder_of.get(i) == holder for i in ids)
                won[holder] = len(ids)
            else:
                # ... or none of it, refused for seats somebody else holds.
                assert value.code == "seats_unavailable"
                assert holder not in holder_of.values()
                assert value.seat_ids
                assert set(value.seat_ids) <= set(ids)
        assert won, "somebody must win each round"
        assert sum(won.values()) == len(holder_of)
        assert Counter(holder_of.values()) == won
        new_rows = Activity.objects.filter(kind="held", at=later(at))
        assert new_rows.count() == len(holder_of)

    assert sorted(c.version for c in announcements) == list(
        range(1, len(announcements) + 1)
    )


@pytest.mark.parametrize("book_offset", [-0.001, 0, 0.001, 5])
def test_booking_racing_the_sweep_has_exactly_one_outcome(
    event, seat_ids, announcements, book_offset
):
    """The sweep runs at the expiry; the booking just before, at or after it."""
    for round_, seat_id in enumerate(seat_ids[:8]):
        at = round_ * 1000
        services.hold_seats(
            event_id=event.id, holder="alice", seat_ids=[seat_id], now=later(at)
        )

        booked, swept = race(
            partial(
                services.book_seats,
                event_id=event.id,
                holder="alice",
                seat_ids=[seat_id],
                now=later(at + 300 + book_offset),
            ),
            partial(services.release_expired, now=later(at + 300)),
        )

        assert booked[0] in ("ok", "refused"), booked
        assert swept[0] == "ok", swept
        was_booked = booked[0] == "ok"
        released = [s.seat_id for s in swept[1]]
        if not was_booked and not released:
            # On PostgreSQL the sweep skips rows a running request has locked;
            # the refused booking changed nothing, so the next sweep frees it.
            released = [
                s.seat_id for s in services.release_expired(now=later(at + 300))
            ]
        was_swept = released == [seat_id]
        assert was_booked != was_swept, (booked, swept)
        if book_offset >= 0:
            # At or past its time the hold is gone, whoever runs first.
            assert was_swept
            assert booked[1].code in ("hold_expired", "not_holder")
        elif not was_booked:
            assert booked[1].code == "not_holder"  # the sweep came first
        seat = Seat.objects.get(pk=seat_id)
        assert (seat.booking_id is not None) == was_booked
        assert (seat.hold_id, seat.holder, seat.held_until) == (None, "", None)
        assert Booking.objects.filter(seats=seat_id).count() == int(was_booked)
        changes = [c for c in announcements if seat_id in {s.id for s in c.seats}]
        assert [c.reason for c in changes] == [
            "held",
            "booked" if was_booked else "expired",
        ]


def test_one_holder_on_two_workers_never_passes_the_limit(make_event, hold_settings):
    """The same session asking twice at once for limit-many seats (as two
    workers would): one request wins, the other is refused, one hold row."""
    from seats.models import Hold

    event = make_event(rows=4, seats_per_row=10)
    ids = list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )
    limit = hold_settings.SEAT_MAX_PER_HOLDER
    for round_ in range(ROUNDS):
        holder = f"twice-{round_}"
        at = round_ * 1000  # every earlier round's hold has lapsed by now
        first, second = ids[:limit], ids[limit : 2 * limit]
        outcomes = race(
            hold_call(event, holder, first, at=at),
            hold_call(event, holder, second, at=at),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["ok", "refused"], outcomes
        refused = next(error for kind, error in outcomes if kind == "refused")
        assert refused.code == "too_many_seats"
        held = Seat.objects.filter(event=event).held_by(holder, later(at))
        assert held.count() == limit
        assert Hold.objects.filter(event=event, holder=holder).count() == 1


def test_sessions_of_one_client_racing_into_a_waiting_room_get_its_limit(
    event, settings
):
    from seats.waiting import services as waiting
    from seats.waiting.models import Place

    settings.SEAT_QUEUE_PLACES_PER_CLIENT = 3
    opens = later(10_000)
    waiting.configure(event_id=event.id, enabled=True, opens_at=opens)
    for round_ in range(3):
        client = f"client-{round_}"
        outcomes = race(
            *(
                partial(
                    waiting.join,
                    event_id=event.id,
                    holder=f"{client}-s{i}",
                    client=client,
                    now=later(round_),
                )
                for i in range(THREADS)
            )
        )
        kinds = Counter(kind for kind, _ in outcomes)
        assert kinds == {"ok": 3, "refused": THREADS - 3}, outcomes
        assert Place.objects.filter(client=client).count() == 3


def test_two_requests_in_one_run_cannot_together_strand_a_seat(settings):
    """A1 and A5 are taken; A2 and A4 asked for at once would leave A3 alone.
    Each request alone is fine, so only locking the run (the neighbours the
    rule reads) keeps the second from passing on what it read before the
    first committed."""
    from plans.venues import create_venue
    from seats.errors import SingleSeatLeft
    from seats.models import Event

    for round_ in range(ROUNDS):
        event = create_venue(name=f"Run {round_}", rows=1, seats_per_row=5)
        Event.objects.filter(pk=event.pk).update(avoid_single_seats=True)
        a1, a2, a3, a4, a5 = Seat.objects.filter(event=event).order_by("pk")
        for seat in (a1, a5):
            services.hold_seats(
                event_id=event.id, holder="zoe", seat_ids=[seat.id], now=later(0)
            )
        outcomes = race(
            hold_call(event, "xavier", [a2.id], at=1),
            hold_call(event, "yvonne", [a4.id], at=1),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["ok", "refused"], outcomes
        (refusal,) = [error for kind, error in outcomes if kind == "refused"]
        assert isinstance(refusal, SingleSeatLeft), refusal
        assert not Seat.objects.get(pk=a3.id).holder


def test_wrong_codes_sent_at_once_get_no_more_tries_than_the_limit(
    settings, event, presale
):
    """Each attempt is written before the limit is read: attempts racing from
    several workers see each other's, so together they never pass it."""
    from presales import access
    from presales.models import ChannelAccess

    settings.SEAT_CODE_ATTEMPTS_PER_SESSION = 3
    settings.SEAT_CODE_ATTEMPTS_PER_CLIENT = 0

    def guess() -> None:
        access.unlock(
            event_id=event.id, code="guess-123", holder="h", client="", now=later(0)
        )

    outcomes = race(*[guess] * THREADS)
    codes = Counter(getattr(error, "code", error) for _, error in outcomes)
    assert set(codes) <= {"wrong_code", "rate_limited"}, outcomes
    # Racing ones may all count each other and all be refused: never more
    # than the limit get through.
    assert codes["wrong_code"] <= 3, codes
    assert codes["wrong_code"] + codes["rate_limited"] == THREADS
    logged = Counter(ChannelAccess.objects.values_list("outcome", flat=True))
    assert logged == Counter(wrong=codes["wrong_code"], limited=codes["rate_limited"])
