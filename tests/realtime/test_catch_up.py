"""A change lost between workers is read back from the database, not skipped.

A worker gets other workers' changes through the channel layer; one that
never comes (Redis dropped a slow subscriber, a publish failed for good)
would leave every local socket behind until it resyncs from a snapshot. The
hub waits GAP_WAIT_SECONDS, then sends what the missing versions changed,
read from the activity log and the seats table, as one coalesced frame.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.db.models import F

from realtime import hub as hub_module
from realtime import streams
from realtime.hub import Hub
from realtime.sequencing import Sequencer
from realtime.streams import Change, Stream
from seats import catchup, services
from seats.models import Event, SeatStatus
from seats.signals import SeatState
from tests.conftest import later
from tests.contracts.asyncapi import server_frame
from wire import frames


def test_the_sequencer_counts_missing_versions_and_drops_what_a_catch_up_covers():
    seq = Sequencer()
    seq.add(10, "v10")
    seq.add(12, "v12")
    seq.add(15, "v15")
    assert seq.missing == 3  # 11, 13 and 14
    assert seq.caught_up(13) == []  # 12 is covered; 14 is still missing
    assert seq.next == 14 and list(seq.held) == [15]
    assert seq.caught_up(14) == ["v15"]
    assert seq.next == 16 and not seq.waiting and seq.missing == 0


@pytest.mark.django_db
def test_catch_up_names_every_seat_the_versions_touched_in_its_state_now(
    event, seat_ids
):
    a, b, c = seat_ids[:3]
    services.hold_seats(event_id=event.id, holder="h1", seat_ids=[a, b], now=later(0))
    services.release_seats(event_id=event.id, holder="h1", seat_ids=[a], now=later(1))
    services.hold_seats(event_id=event.id, holder="h2", seat_ids=[c], now=later(2))

    caught = catchup.catch_up(event_id=event.id, after=1, now=later(3))
    assert caught is not None
    assert (caught.from_version, caught.version) == (2, 3)
    assert caught.reasons == ["released", "held"] and caught.reason == "held"
    states = {s.id: (s.status, s.holder) for s in caught.seats}
    assert states == {a: ("available", None), c: ("held", "h2")}  # b: not since 1

    frame = server_frame(frames.dumps(frames.caught_up(caught)))
    assert frame["from_version"] == 2 and frame["version"] == 3

    assert catchup.catch_up(event_id=event.id, after=3, now=later(3)) is None
    # A version that left no activity (a new seating plan does that): only a
    # snapshot can describe it, so the catch-up declines.
    Event.objects.filter(pk=event.id).update(version=F("version") + 1)
    assert catchup.catch_up(event_id=event.id, after=1, now=later(3)) is None


def test_a_catch_up_folds_into_the_changes_around_it():
    def change(version: int, seat: int, status: str, **more) -> dict:
        return {
            "type": "seats.changed",
            "event": 1,
            "version": version,
            "reason": "held",
            "seats": [{"id": seat, "status": status}],
            **more,
        }

    caught = change(4, 7, "available", from_version=2, reasons=["released"])
    [folded] = frames.coalesced([change(1, 7, "held"), caught, change(5, 8, "held")])
    assert (folded["from_version"], folded["version"]) == (1, 5)
    assert folded["reasons"] == ["held", "released"]
    states = {s["id"]: s["status"] for s in folded["seats"]}
    assert states == {7: "available", 8: "held"}


class Recorder:
    def __init__(self):
        self.frames: list[dict] = []

    async def deliver(self, text: str) -> None:
        self.frames.append(server_frame(text))


@pytest.mark.django_db(transaction=True)
async def test_a_hub_fills_a_lost_version_from_the_database(
    event, seat_ids, settings, announcements, monkeypatch
):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0
    monkeypatch.setattr(streams, "GAP_WAIT_SECONDS", 0.05)
    a, b = seat_ids[:2]
    hold = database_sync_to_async(services.hold_seats)
    release = database_sync_to_async(services.release_seats)
    await hold(event_id=event.id, holder="h1", seat_ids=[a])  # v1
    await release(event_id=event.id, holder="h1", seat_ids=[a])  # v2: lost
    await hold(event_id=event.id, holder="h2", seat_ids=[b])  # v3
    v1, _, v3 = announcements

    hub = Hub(asyncio.get_running_loop())
    recorder = Recorder()
    group = f"event.{event.id}"
    hub._groups[group] = hub_module._Group({recorder}, asyncio.Future())
    for change in (v1, v3):
        await hub.dispatch(
            {
                "type": "seats.changed",
                "group": group,
                "version": change.version,
                "text": frames.dumps(frames.seats_changed(change)),
            }
        )
    for _ in range(200):
        if len(recorder.frames) == 2:
            break
        await asyncio.sleep(0.02)

    first, filled = recorder.frames
    assert first["version"] == 1
    # One frame for versions 2 and 3: seat a free again, seat b held; the
    # copy of v3 that came through the layer is covered and not sent again.
    assert (filled["from_version"], filled["version"]) == (2, 3)
    assert {s["id"]: s["status"] for s in filled["seats"]} == {
        a: "available",
        b: "held",
    }
    await asyncio.sleep(0.1)
    assert len(recorder.frames) == 2
    stream = hub._groups[group].stream
    assert stream is not None and not stream.gap_pending
    assert not stream.sequencer.waiting


async def test_a_stream_passes_the_gap_on_when_the_database_cannot_say(
    settings, monkeypatch
):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0
    monkeypatch.setattr(streams, "GAP_WAIT_SECONDS", 0.05)

    async def unreachable(after: int):
        raise ConnectionError("database down")

    texts: list[str] = []

    async def deliver(text: str) -> None:
        texts.append(text)

    stream = Stream(asyncio.get_running_loop(), deliver, unreachable)
    for version in (1, 3):
        await stream.push(Change(version, json.dumps({"version": version})))
    for _ in range(200):
        if len(texts) == 2:
            break
        await asyncio.sleep(0.02)
    assert [json.loads(t)["version"] for t in texts] == [1, 3]
    assert stream.sequencer.skipped == 1


def _read_back_when(
    reading: asyncio.Event, release: asyncio.Event, versions: tuple[int, int]
):
    """A read back that sets `reading` as it starts and answers `versions`
    (from, to) once `release` is set."""

    async def read_back(after: int) -> catchup.CatchUp:
        reading.set()
        await release.wait()
        first, last = versions
        assert after == first - 1
        seat = SeatState(7, "A-7", SeatStatus.AVAILABLE)
        return catchup.CatchUp(1, first, last, "released", ["released"], [seat])

    return read_back


@pytest.mark.parametrize(
    ("late", "expected"),
    [
        # Version 2 came while 2..4 were read back: the frame starts at 4.
        ((2,), [(1, 1), (2, 2), (3, 3), (4, 4)]),
        # 2 and 4 came (3 was in the sequencer): nothing left to send.
        ((2, 4), [(1, 1), (2, 2), (3, 3), (4, 4)]),
    ],
)
async def test_versions_that_come_while_being_read_back_are_not_sent_twice(
    settings, monkeypatch, late, expected
):
    """The missing version may come late, while the stream reads it back:
    it goes out as it comes, and the catch-up frame covers only what is
    still unsent (no socket gets a version twice)."""
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0
    monkeypatch.setattr(streams, "GAP_WAIT_SECONDS", 0.05)
    reading, release = asyncio.Event(), asyncio.Event()
    sent: list[dict] = []

    async def deliver(text: str) -> None:
        sent.append(json.loads(text))

    def change(version: int) -> Change:
        frame = {"type": "seats.changed", "event": 1, "version": version}
        return Change(version, json.dumps(frame), frame)

    read_back = _read_back_when(reading, release, (2, 4))
    stream = Stream(asyncio.get_running_loop(), deliver, read_back)
    await stream.push(change(1))
    await stream.push(change(3))  # 2 is missing: the read back starts
    await asyncio.wait_for(reading.wait(), 10)
    for version in late:
        await stream.push(change(version))
    release.set()
    for _ in range(500):
        if not stream.gap_pending:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    ranges = [(f.get("from_version", f["version"]), f["version"]) for f in sent]
    assert ranges == expected
    assert stream.sequencer.next == 5 and not stream.sequencer.waiting


async def test_a_gap_closed_before_its_read_back_starts_is_not_read(
    settings, monkeypatch
):
    """The give-up's timer fired, and the missing version came before the
    read back's task ran: nothing is read, nothing sent twice."""
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0
    monkeypatch.setattr(streams, "GAP_WAIT_SECONDS", 60)
    reads: list[int] = []
    sent: list[int] = []

    async def read_back(after: int) -> None:
        reads.append(after)

    async def deliver(text: str) -> None:
        sent.append(json.loads(text)["version"])

    def change(version: int) -> Change:
        frame = {"type": "seats.changed", "event": 1, "version": version}
        return Change(version, json.dumps(frame), frame)

    stream = Stream(asyncio.get_running_loop(), deliver, read_back)
    await stream.push(change(1))
    await stream.push(change(3))
    stream._gap_timer.cancel()
    stream._gap_timeout()  # the timer fires: the read back's task is made
    await stream.push(change(2))  # and 2 comes before that task runs
    for _ in range(100):
        if not stream.gap_pending:
            break
        await asyncio.sleep(0.01)
    assert not stream.gap_pending
    assert reads == [] and sent == [1, 2, 3]
