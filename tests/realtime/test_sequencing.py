"""Changes back in version order before the sockets get them (realtime.sequencing)."""

from __future__ import annotations

import asyncio
import json

import pytest

from realtime import hub as hub_module
from realtime import streams
from realtime.hub import Hub
from realtime.sequencing import Sequencer
from realtime.streams import Change, Stream


def test_versions_go_out_in_order_whatever_order_they_came_in():
    seq = Sequencer()
    assert seq.add(10, "v10") == ["v10"]  # the first one sets the start
    assert seq.add(12, "v12") == [] and seq.waiting
    assert seq.add(13, "v13") == []
    assert seq.add(11, "v11") == ["v11", "v12", "v13"]
    assert not seq.waiting and seq.next == 14


def test_a_missing_version_is_given_up_on_and_passed_on_if_it_comes_late():
    seq = Sequencer()
    seq.add(5, "v5")
    assert seq.add(4, "v4") == ["v4"]  # before the start: a new client may lack it
    assert seq.add(5, "v5") == []  # a duplicate
    seq.add(8, "v8")
    seq.add(7, "v7")
    assert seq.give_up() == ["v7", "v8"]
    assert seq.skipped == 1 and seq.next == 9
    assert seq.give_up() == []
    assert seq.add(6, "v6") == ["v6"]  # fills the gap clients were left with
    assert seq.add(6, "v6") == []  # once


def test_given_up_versions_are_remembered_within_a_bound(monkeypatch):
    monkeypatch.setattr(Sequencer, "MAX_GAPS", 3)
    seq = Sequencer()
    seq.add(1, "v1")
    seq.add(7, "v7")
    seq.give_up()  # 2..6 given up on; only the newest 3 remembered
    assert seq.gaps == {4, 5, 6}
    assert seq.add(2, "v2") == [] and seq.add(5, "v5") == ["v5"]


class Recorder:
    def __init__(self):
        self.frames: list[str] = []

    async def deliver(self, text: str) -> None:
        self.frames.append(text)


def changed(version: int) -> Change:
    return Change(version, f'{{"type":"seats.changed","version":{version}}}')


def seat_change(version: int) -> Change:
    frame = {
        "type": "seats.changed",
        "event": 1,
        "version": version,
        "reason": "held",
        "seats": [{"id": version, "status": "held"}],
    }
    return Change(version, json.dumps(frame), frame)


async def nothing_read_back(after: int):
    return None


@pytest.fixture
def no_window(settings):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0


async def test_a_stream_holds_a_change_until_the_one_before_it_came(
    no_window, monkeypatch
):
    monkeypatch.setattr(streams, "GAP_WAIT_SECONDS", 5.0)
    recorder = Recorder()
    stream = Stream(asyncio.get_running_loop(), recorder.deliver, nothing_read_back)
    for version in (3, 5, 6, 4):
        await stream.push(changed(version))
    assert [f[-2] for f in recorder.frames] == ["3", "4", "5", "6"]
    assert not stream.gap_pending  # nothing waits: no give-up pending


async def test_a_stream_gives_up_on_a_lost_version_after_a_while(
    no_window, monkeypatch
):
    """When the database cannot say what the lost version did (see
    test_catch_up for when it can), the changes go on with the gap."""
    monkeypatch.setattr(streams, "GAP_WAIT_SECONDS", 0.05)
    recorder = Recorder()
    stream = Stream(asyncio.get_running_loop(), recorder.deliver, nothing_read_back)
    await stream.push(changed(1))
    await stream.push(changed(3))
    assert [f[-2] for f in recorder.frames] == ["1"]
    for _ in range(100):
        await asyncio.sleep(0.02)
        if len(recorder.frames) == 2:
            break
    assert [f[-2] for f in recorder.frames] == ["1", "3"]
    assert stream.sequencer.skipped == 1


async def test_a_plan_change_is_never_folded_into_the_seat_changes_around_it(
    settings,
):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0.05
    recorder = Recorder()
    stream = Stream(asyncio.get_running_loop(), recorder.deliver, nothing_read_back)

    plan = Change(
        4, '{"type":"plan.changed","event":1,"version":4}', kind="plan.changed"
    )
    for change in (
        seat_change(1),
        seat_change(2),
        seat_change(3),
        plan,
        seat_change(5),
        seat_change(6),
    ):
        await stream.push(change)
    for _ in range(100):
        await asyncio.sleep(0.02)
        if len(recorder.frames) == 4:
            break
    sent = [json.loads(f) for f in recorder.frames]
    # v1 at once; v2-3 folded; the plan change alone; v5-6 folded.
    assert [(f["type"], f.get("from_version"), f["version"]) for f in sent] == [
        ("seats.changed", None, 1),
        ("seats.changed", 2, 3),
        ("plan.changed", None, 4),
        ("seats.changed", 5, 6),
    ]


async def test_a_hub_group_with_nobody_left_forgets_its_order():
    hub = Hub(asyncio.get_running_loop())
    recorder = Recorder()
    hub._groups["event.1"] = hub_module._Group({recorder}, asyncio.Future())
    await hub.dispatch(
        {"type": "seats.changed", "group": "event.1", "version": 5, "text": "v5"}
    )
    assert hub._groups["event.1"].stream is not None
    hub._groups["event.1"].members.clear()
    await hub.dispatch(
        {"type": "seats.changed", "group": "event.1", "version": 9, "text": "v9"}
    )
    # The next socket starts afresh, from whatever version comes first.
    assert hub._groups["event.1"].stream is None
    assert recorder.frames == ["v5"]


async def test_a_closed_stream_sends_nothing_more(settings):
    """A group left by its last socket: what still waited in the window is
    dropped, not sent to whoever joins the group next."""
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0.05
    recorder = Recorder()
    stream = Stream(asyncio.get_running_loop(), recorder.deliver, nothing_read_back)
    await stream.push(changed(1))  # a quiet event: at once
    await stream.push(changed(2))  # waits for the window
    stream.close()
    await asyncio.sleep(0.15)
    assert [f[-2] for f in recorder.frames] == ["1"]


def test_a_window_stretches_with_the_time_its_write_took_within_its_bounds(settings):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0.05
    settings.SEAT_BROADCAST_WRITE_SHARE = 0.2
    settings.SEAT_BROADCAST_WINDOW_MAX_SECONDS = 0.15
    assert streams.window_after(0.0) == 0.05  # a few sockets: the least
    assert streams.window_after(0.02) == pytest.approx(0.1)  # writing is a fifth
    assert streams.window_after(2.0) == 0.15  # the lag a change may wait
    settings.SEAT_BROADCAST_WRITE_SHARE = 0
    assert streams.window_after(2.0) == 0.05  # never stretched
    settings.SEAT_BROADCAST_WRITE_SHARE = 0.2
    settings.SEAT_BROADCAST_WINDOW_MAX_SECONDS = 0.01
    assert streams.window_after(2.0) == 0.05  # a maximum below the least


class TimedLoop:
    """The running loop, with the delay of every call_later kept."""

    def __init__(self):
        self.loop = asyncio.get_running_loop()
        self.delays: list[float] = []

    def call_later(self, delay, callback, *args):
        self.delays.append(delay)
        return self.loop.call_later(delay, callback, *args)

    def __getattr__(self, name):
        return getattr(self.loop, name)


async def test_a_slow_write_stretches_the_next_window_and_a_quick_one_shrinks_it(
    settings, monkeypatch
):
    """The window after a write is the write's time over the share (here a
    write of 40 ms, on a clock the deliveries move): a worker with many
    sockets sends fewer, larger frames, and goes back to the least window
    once its writes are quick again."""
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0.01
    settings.SEAT_BROADCAST_WRITE_SHARE = 0.5
    settings.SEAT_BROADCAST_WINDOW_MAX_SECONDS = 0.06
    clock = [100.0]
    monkeypatch.setattr(streams.time, "perf_counter", lambda: clock[0])
    write = [0.04]
    frames: list[str] = []

    async def deliver(text: str) -> None:
        frames.append(text)
        clock[0] += write[0]

    loop = TimedLoop()
    stream = Stream(loop, deliver, nothing_read_back)
    await stream.push(seat_change(1))  # at once; the window: nothing written yet
    await stream.push(seat_change(2))  # waits, then goes after a stretched window
    await stream.push(seat_change(3))
    write[0] = 0.001
    for _ in range(100):
        if len(frames) == 2:
            break
        await asyncio.sleep(0.01)
    await stream.push(seat_change(4))  # within the window the fold opened
    for _ in range(100):
        if len(frames) == 3 and loop.delays[-1] == 0.01:
            break
        await asyncio.sleep(0.01)
    stream.close()
    assert [json.loads(f)["version"] for f in frames] == [1, 3, 4]
    # 10 ms before anything was written; 0.04 / 0.5 = 80 ms, cut to 60 ms,
    # after version 1's write; after the quick fold of 2..3, 10 ms again.
    assert loop.delays[:2] == [0.01, 0.06]
    assert loop.delays[-1] == 0.01


async def test_a_window_stretches_by_the_writing_its_deliver_reports(
    settings, monkeypatch
):
    """A deliver that says how long it wrote (the hub's fan-out in chunks)
    is taken at its word: the loop's other work between the chunks, here
    a second of the clock, does not stretch the next window."""
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0.01
    settings.SEAT_BROADCAST_WRITE_SHARE = 0.5
    settings.SEAT_BROADCAST_WINDOW_MAX_SECONDS = 0.06
    clock = [100.0]
    monkeypatch.setattr(streams.time, "perf_counter", lambda: clock[0])

    async def deliver(text: str) -> float:
        clock[0] += 1.0
        return 0.02

    loop = TimedLoop()
    stream = Stream(loop, deliver, nothing_read_back)
    await stream.push(seat_change(1))  # at once; the window: nothing written yet
    await stream.push(seat_change(2))  # waits; its window's end opens the next
    for _ in range(100):
        if len(loop.delays) == 2:
            break
        await asyncio.sleep(0.01)
    stream.close()
    # 0.02 / 0.5 = 40 ms, not the second the call took (cut to 60 ms).
    assert loop.delays == [0.01, 0.04]
