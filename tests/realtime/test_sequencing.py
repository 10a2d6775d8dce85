"""Changes back in version order before the sockets get them (realtime.sequencing)."""

from __future__ import annotations

import asyncio

import pytest

from realtime import hub as hub_module
from realtime.hub import Hub
from realtime.sequencing import Sequencer


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


def changed(version: int) -> dict:
    return {
        "type": "seats.changed",
        "group": "event.1",
        "version": version,
        "text": f'{{"type":"seats.changed","version":{version}}}',
    }


@pytest.fixture
def hub_without_window(settings):
    settings.SEAT_BROADCAST_WINDOW_SECONDS = 0


async def test_a_hub_holds_a_change_until_the_one_before_it_came(
    hub_without_window, monkeypatch
):
    monkeypatch.setattr(hub_module, "GAP_WAIT_SECONDS", 5.0)
    hub = Hub(asyncio.get_running_loop())
    recorder = Recorder()
    hub._members["event.1"] = {recorder}
    for version in (3, 5, 6, 4):
        await hub.dispatch(changed(version))
    assert [f[-2] for f in recorder.frames] == ["3", "4", "5", "6"]
    assert not hub._gap_timers  # nothing waits: no give-up pending


async def test_a_hub_gives_up_on_a_lost_version_after_a_while(
    hub_without_window, monkeypatch
):
    """When the database cannot say what the lost version did (see
    test_catch_up for when it can), the changes go on with the gap."""
    monkeypatch.setattr(hub_module, "GAP_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(hub_module.catchup, "catch_up", lambda **kwargs: None)
    hub = Hub(asyncio.get_running_loop())
    recorder = Recorder()
    hub._members["event.1"] = {recorder}
    await hub.dispatch(changed(1))
    await hub.dispatch(changed(3))
    assert [f[-2] for f in recorder.frames] == ["1"]
    for _ in range(100):
        await asyncio.sleep(0.02)
        if len(recorder.frames) == 2:
            break
    assert [f[-2] for f in recorder.frames] == ["1", "3"]
    # A group with nobody left forgets its order: the next socket starts afresh.
    hub._members["event.1"] = set()
    await hub.dispatch(changed(9))
    assert "event.1" not in hub._sequencers
