"""The waiting room over WebSockets: places pushed live, holds refused till admitted."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest.mock import patch

import pytest
from channels.db import database_sync_to_async
from django.db.models import F
from django.utils import timezone

from seats.models import Seat
from seats.waiting import services as waiting
from seats.waiting.models import Place, WaitingRoom
from tests.realtime.conftest import (
    Client,
    event_client,
    server_frame,
    session_cookie,
    staff_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


# When the room of the test opened: admissions are timed from it, not from
# whenever the test gets to ask (a busy machine must not admit one more).
_opened: dict[int, object] = {}


@database_sync_to_async
def open_room(event_id: int, **settings) -> None:
    opens_at = timezone.now() + timedelta(seconds=settings.pop("opens_in", 0))
    _opened[event_id] = opens_at
    waiting.configure(event_id=event_id, enabled=True, opens_at=opens_at, **settings)


@database_sync_to_async
def admit(event_id: int, seconds: float) -> int:
    """One admission tick, `seconds` after the room was set to open; the
    room's version after it."""
    waiting.admit_due(now=_opened[event_id] + timedelta(seconds=seconds))
    return WaitingRoom.objects.get(event_id=event_id).version


async def queue_client(event_id: int, cookie: str) -> tuple[Client, dict]:
    client = Client(f"/ws/events/{event_id}/queue/", cookie=cookie)
    connected, _ = await client.connect()
    assert connected
    return client, await client.recv_type("queue.status")


async def status_where(page: Client, wanted) -> dict:
    """The first queue.status that `wanted` accepts (earlier ones, pushed for
    other people's joins, are read past)."""
    for _ in range(20):
        status = await page.recv_type("queue.status")
        if wanted(status):
            return status
    raise AssertionError("no such status came")


async def test_places_are_pushed_as_the_line_moves_and_kept_across_tabs(event):
    await open_room(event.id, rate_per_minute=60)
    cookies = [await session_cookie() for _ in range(3)]
    pages = []
    for cookie, _ in cookies:
        page, status = await queue_client(event.id, cookie)
        assert status["state"] == "waiting" and status["position"] == len(pages) + 1
        pages.append(page)
    # A second tab of the first session: the same place, not a new one.
    tab, again = await queue_client(event.id, cookies[0][0])
    assert again["position"] == 1 and again["waiting"] == 3

    # One a second: the first in line is let in. Statuses pushed for the
    # joins may still be on their way: what counts is the room after the tick.
    version = await admit(event.id, 1.5)
    first = await status_where(pages[0], lambda s: s["state"] != "waiting")
    assert first["state"] == "admitted" and first["admitted_until"]
    second = await status_where(pages[1], lambda s: s["version"] >= version)
    assert (second["waiting"], second["position"]) == (2, 1)
    third = await status_where(pages[2], lambda s: s["version"] >= version)
    assert (third["waiting"], third["position"]) == (2, 2)

    await pages[1].send({"type": "leave"})
    left = await status_where(pages[1], lambda s: s["state"] != "waiting")
    assert left["state"] == "left"
    moved = await status_where(pages[2], lambda s: s["waiting"] == 1)
    assert moved["position"] == 1
    for page in (*pages, tab):
        await page.close()


@database_sync_to_async
def join_without_page(event_id: int, count: int, who: str) -> None:
    for n in range(count):
        waiting.join(event_id=event_id, holder=f"{who}{n:08d}")


async def shared_page(event_id: int, cookie: str) -> tuple[Client, dict]:
    page = Client(f"/ws/events/{event_id}/queue/?line=shared", cookie=cookie)
    connected, _ = await page.connect()
    assert connected
    return page, await page.recv_type("queue.status")


async def next_line(page: Client, version: int, timeout: float = 2) -> str:
    """The raw text of the first queue.line at `version` or later."""
    for _ in range(30):
        text = await page.ws.receive_from(timeout=timeout)
        frame = server_frame(text)
        if frame["type"] == "queue.line" and frame["version"] >= version:
            return text
    raise AssertionError("no such queue.line came")


async def test_shared_pages_get_one_line_and_find_themselves_in_it(event):
    await open_room(event.id, rate_per_minute=60)
    first, first_status = await shared_page(event.id, (await session_cookie())[0])
    await join_without_page(event.id, 20, "a")
    middle, middle_status = await shared_page(event.id, (await session_cookie())[0])
    await join_without_page(event.id, 30, "b")
    last, last_status = await shared_page(event.id, (await session_cookie())[0])
    old, old_status = await queue_client(event.id, (await session_cookie())[0])
    assert first_status["position"] == 1 and first_status["rank"] is not None
    assert (middle_status["position"], last_status["position"]) == (22, 53)

    version = await admit(event.id, 1.5)
    # The first in line is admitted: its own status says so.
    admitted = await status_where(first, lambda s: s["state"] != "waiting")
    assert admitted["state"] == "admitted"
    # Everyone still waiting gets the same text; an older client its own status.
    text = await next_line(middle, version)
    assert await next_line(last, version) == text
    line = json.loads(text)
    assert line["waiting"] == 53 and line["enabled"] is True
    marks = line["marks"]
    assert marks[:10] == [[n, marks[n - 1][1]] for n in range(1, 11)]
    assert marks[-1] == [53, old_status["rank"]]  # the last is marked exactly
    assert [52, last_status["rank"]] in marks
    ranks = [rank for _, rank in marks]
    assert ranks == sorted(ranks) and len(marks) <= 41
    assert first_status["rank"] not in ranks  # admitted: out of the line
    # Between two marks, in the order of the line.
    below = max(m for m in marks if m[1] < middle_status["rank"])
    above = min(m for m in marks if m[1] > middle_status["rank"])
    assert below[0] < 21 < above[0]
    moved = await status_where(old, lambda s: s["version"] >= version)
    assert moved["position"] == 53 and "marks" not in moved
    for page in (first, middle, last, old):
        await page.close()


@database_sync_to_async
def leave(event_id: int, holder: str) -> int:
    waiting.leave(event_id=event_id, holder=holder)
    return WaitingRoom.objects.get(event_id=event_id).version


@database_sync_to_async
def pause(event_id: int) -> int:
    return waiting.configure(event_id=event_id, paused=True).version


async def test_pages_far_back_get_the_line_less_often_but_never_miss_the_last(
    event, monkeypatch
):
    from realtime import queueing

    monkeypatch.setattr(queueing, "FAR_EVERY_SECONDS", 3.0)
    # One a minute: only the first ten places are near the front.
    await open_room(event.id, rate_per_minute=1)
    near, _ = await shared_page(event.id, (await session_cookie())[0])
    await join_without_page(event.id, 15, "a")
    far, far_status = await shared_page(event.id, (await session_cookie())[0])
    assert far_status["position"] == 17

    first = await leave(event.id, "a00000001")
    await next_line(near, first)
    # Far back, it may have had the line of its own join just now: then
    # this move reaches it with the catch-up, FAR_EVERY_SECONDS later.
    assert json.loads(await next_line(far, first, timeout=10))["version"] >= first
    # A second move at once: the page near the front has it, the far one not
    # yet; it gets the line as it is then, a little later.
    second = await leave(event.id, "a00000002")
    assert json.loads(await next_line(near, second))["version"] >= second
    assert await far.nothing(timeout=0.5)
    caught_up = json.loads(await next_line(far, second, timeout=10))
    assert caught_up["version"] >= second and caught_up["waiting"] == 15
    # A change of the room's settings reaches everyone at once.
    paused = await pause(event.id)
    assert json.loads(await next_line(far, paused))["paused"] is True
    for page in (near, far):
        await page.close()


async def test_a_failed_read_of_the_line_is_read_again_not_lost(event, monkeypatch):
    from realtime import queueing

    monkeypatch.setattr(queueing, "RETRY_SECONDS", 0.2)
    await open_room(event.id, rate_per_minute=1)
    page, _ = await shared_page(event.id, (await session_cookie())[0])
    # The line of the page's own join comes first: the room is quiet after it.
    for _ in range(5):
        if await page.ws.receive_nothing(timeout=0.5):
            break
        await page.ws.receive_from()
    read = queueing._ranks
    failures = []

    async def fails_once(event_id):
        if not failures:
            failures.append(event_id)
            raise ConnectionError("the database is away")
        return await read(event_id)

    monkeypatch.setattr(queueing, "_ranks", fails_once)
    # The room pauses; nothing else moves after it, yet the page hears of it.
    paused = await pause(event.id)
    line = json.loads(await next_line(page, paused, timeout=5))
    assert failures == [event.id]
    assert line["paused"] is True and line["version"] >= paused
    await page.close()


async def test_holds_are_refused_until_admitted_even_by_hand(event, seat_ids):
    await open_room(event.id, rate_per_minute=60, opens_in=60)
    cookie, _ = await session_cookie()
    page, status = await queue_client(event.id, cookie)
    # About a minute (less the time this test took so far).
    assert status["state"] == "waiting" and status["estimated_wait_seconds"] >= 45
    seat_map, _ = await event_client(event.id, cookie=cookie)
    for request in (
        {"type": "hold", "seat_ids": seat_ids[:1]},
        {"type": "hold_best", "count": 2},
        {"type": "book", "seat_ids": seat_ids[:1]},
    ):
        refused = await seat_map.request(request)
        assert (refused["type"], refused["code"]) == ("error", "not_admitted")
    assert not await database_sync_to_async(Seat.objects.filter(holder__gt="").exists)()

    await admit(event.id, 61.5)
    await status_where(page, lambda s: s["state"] == "admitted")
    held = await seat_map.request({"type": "hold", "seat_ids": seat_ids[:1]})
    assert held["type"] == "hold.ok"
    await page.close()
    await seat_map.close()


async def test_an_admission_past_its_window_refuses_holds_before_the_admitter_runs(
    event, seat_ids
):
    """The window is read from the place itself: a hold right after it ended
    is refused though the admitter has not marked the place lapsed yet."""
    await open_room(event.id, rate_per_minute=60, shopping_seconds=600)
    cookie, holder = await session_cookie()
    page, _ = await queue_client(event.id, cookie)
    await admit(event.id, 1.5)
    await status_where(page, lambda s: s["state"] == "admitted")
    seat_map, _ = await event_client(event.id, cookie=cookie)
    assert (await seat_map.request({"type": "hold", "seat_ids": seat_ids[:1]}))[
        "type"
    ] == "hold.ok"
    assert (await seat_map.request({"type": "release", "seat_ids": seat_ids[:1]}))[
        "type"
    ] == "release.ok"

    # The window ends; no admitter runs (the place still says admitted).
    ended = timezone.now() - timedelta(seconds=1)
    await database_sync_to_async(Place.objects.filter(holder=holder).update)(
        expires_at=ended
    )
    for request in (
        {"type": "hold", "seat_ids": seat_ids[1:2]},
        {"type": "hold_best", "count": 2},
    ):
        refused = await seat_map.request(request)
        assert (refused["type"], refused["code"]) == ("error", "not_admitted")
    place = await database_sync_to_async(Place.objects.get)(holder=holder)
    assert place.state == "admitted"
    assert not await database_sync_to_async(Seat.objects.filter(holder__gt="").exists)()
    await page.close()
    await seat_map.close()


async def test_staff_are_never_queued(event, seat_ids):
    await open_room(event.id, opens_in=600)
    seat_map, _ = await event_client(event.id, cookie=await staff_cookie())
    held = await seat_map.request({"type": "hold", "seat_ids": seat_ids[:1]})
    assert held["type"] == "hold.ok"
    await seat_map.close()


async def test_no_room_no_queue_socket(event):
    cookie, _ = await session_cookie()
    client = Client(f"/ws/events/{event.id}/queue/", cookie=cookie)
    await client.connect()
    assert await client.closed_with() == 4404
    without_session = Client(f"/ws/events/{event.id}/queue/")
    await open_room(event.id)
    await without_session.connect()
    assert await without_session.closed_with() == 4403


async def test_hostile_frames_get_an_error_and_the_page_stays(event):
    await open_room(event.id, rate_per_minute=60)
    cookie, _ = await session_cookie()
    page, _ = await queue_client(event.id, cookie)
    # Deeper than the JSON parser goes, not JSON, binary, a lone surrogate.
    for text in ("[" * 3000, "{not json", '{"type": "\\ud800"}'):
        await page.send_raw(text)
        assert (await page.recv_type("error"))["code"] == "bad_request"
    await page.send_raw(data=b"\x00\x01")
    assert (await page.recv_type("error"))["code"] == "bad_request"
    await page.send({"type": "ping"})
    assert (await page.recv_type("pong"))["type"] == "pong"
    await page.close()


async def test_one_address_gets_its_limit_of_places_then_a_clear_refusal(
    event, settings
):
    settings.SEAT_QUEUE_PLACES_PER_CLIENT = 2
    await open_room(event.id, opens_in=600)
    path = f"/ws/events/{event.id}/queue/"

    async def from_address(address: str | None):
        page = Client(path, cookie=(await session_cookie())[0])
        if address:
            page.ws.scope["client"] = (address, 40000)
        connected, _ = await page.connect()
        assert connected
        return page

    for _ in range(2):
        page = await from_address("203.0.113.5")
        assert (await page.recv_type("queue.status"))["state"] == "waiting"
    refused = await from_address("203.0.113.5")
    error = await refused.recv_type("error")
    assert error["code"] == "too_many_places", error
    assert (await refused.ws.receive_output(2))["code"] == 4409
    # Another address of the same network is someone else (IPv4), while an
    # IPv6 /64 is one household; loopback (tests, benchmarks) is exempt.
    page = await from_address("203.0.113.6")
    assert (await page.recv_type("queue.status"))["state"] == "waiting"
    for suffix in ("1", "2"):
        page = await from_address(f"2001:db8:5:7::{suffix}")
        assert (await page.recv_type("queue.status"))["state"] == "waiting"
    refused = await from_address("2001:db8:5:7:ffff::9")
    assert (await refused.recv_type("error"))["code"] == "too_many_places"
    for _ in range(3):
        page = await from_address("127.0.0.1")
        assert (await page.recv_type("queue.status"))["state"] == "waiting"


def test_pages_further_back_get_the_line_less_often_up_to_a_bound():
    from realtime.queueing import (
        FAR_EVERY_SECONDS,
        FARTHEST_EVERY_SECONDS,
        line_every,
    )

    # The next minute's admissions (600 a minute) see every move.
    assert line_every(0, 600) == line_every(599, 600) == 0.0
    assert line_every(600, 600) == FAR_EVERY_SECONDS
    assert line_every(1200, 600) == 2 * FAR_EVERY_SECONDS
    intervals = [line_every(p, 600) for p in range(0, 20_000, 100)]
    assert intervals == sorted(intervals), "never more often further back"
    assert max(intervals) == FARTHEST_EVERY_SECONDS


async def test_a_move_visits_the_pages_due_not_every_page():
    """Parked far-back pages cost nothing on a move until they are due; a
    change of the room's settings visits everyone."""
    from types import SimpleNamespace

    from realtime.queueing import Move, QueueWatch

    visited: list[str] = []

    class Page:
        """What QueueWatch asks of a page: `moved`, and when it is due."""

        line_due = -float("inf")
        line_version = None

        def __init__(self, name: str, every: float) -> None:
            self.name, self.every = name, every

        async def moved(self, move: Move) -> bool:
            visited.append(self.name)
            self.line_due = move.at + self.every
            self.line_version = move.room.version
            return True

    watch = QueueWatch(0)
    near, far, farther = Page("near", 0.0), Page("far", 5.0), Page("farther", 30.0)
    watch.pages |= {near, far, farther}

    async def move(at: float, version: int, settings_changed: bool = False):
        visited.clear()
        room = SimpleNamespace(version=version)
        behind = await watch.pass_over(
            Move(
                room,
                [],
                "{}",
                settings_changed,
                far_from=600,
                at=at,
                now=timezone.now(),
            )
        )
        return sorted(visited), behind

    assert await move(100.0, 1) == (["far", "farther", "near"], False)
    assert await move(101.0, 2) == (["near"], True)  # the others are parked
    assert await move(104.0, 3) == (["near"], True)
    assert await move(105.0, 4) == (["far", "near"], True)  # far is due
    assert await move(106.0, 4, settings_changed=True) == (
        ["far", "farther", "near"],
        False,
    )
    watch.leave(far)
    assert await move(112.0, 5) == (["near"], True)  # far left: never again
    assert await move(136.0, 6) == (["farther", "near"], False)


@database_sync_to_async
def turn_off_unannounced(event_id: int) -> int:
    """The room turned off, its announcement lost (another process, a blip)."""
    from seats.waiting import rooms

    with patch.object(rooms, "changed", lambda room: None):
        waiting.configure(event_id=event_id, enabled=False)
    WaitingRoom.objects.filter(event_id=event_id).update(version=F("version") + 1)
    return WaitingRoom.objects.get(event_id=event_id).version


async def test_a_lost_announcement_reaches_the_pages_at_the_next_heartbeat(
    event, settings
):
    settings.SEAT_HEARTBEAT_SECONDS = 0.2
    await open_room(event.id, rate_per_minute=60, opens_in=170)
    page, status = await shared_page(event.id, (await session_cookie())[0])
    assert status["state"] == "waiting"
    # The line of the page's own joining, read before the room goes off.
    assert json.loads(await next_line(page, status["version"]))["enabled"] is True

    version = await turn_off_unannounced(event.id)

    line = json.loads(await next_line(page, version))
    assert line["enabled"] is False
    await page.close()
