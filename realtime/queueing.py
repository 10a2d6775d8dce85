"""`/ws/events/<id>/queue/`: a waiting room's page, kept live without polling.

A visitor's socket takes (or finds) the session's place and gets a
`queue.status` frame: position, people waiting, the estimated wait, the
opening time. Every change of the room (an admission tick, someone joining
or leaving) is announced once (`queue.changed`); each process then reads
the ranks of everyone waiting once, so 10,000 waiting pages cost one query
per change per process, not one each. Then:

* a socket opened with `?line=shared` (the bundled page) gets the one
  `queue.line` frame of that read, the same text for every socket, framed
  once (realtime.transport): the page finds its own position in it;
* any other gets its own `queue.status`, its position found by bisection
  (encoded per socket: the costlier way, kept for older clients).

The places of the sockets a move took out of the list (admitted, lapsed,
left) are read together, one query per move however many were admitted,
and each gets its `queue.status`.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.utils import timezone

from realtime import limits
from realtime.consumers import CLOSE_TOO_MANY_CONNECTIONS, send_text
from realtime.db import db_call
from realtime.hub import get_hub
from realtime.hub_consumer import HubConsumer
from seats.errors import BadRequest, RequestError, TooManyPlaces
from seats.holders import session_holder
from seats.waiting import services as waiting
from seats.waiting.models import WaitingRoom
from wire import frames, queue_frames

logger = logging.getLogger(__name__)

CLOSE_NO_ROOM = 4404
CLOSE_NO_SESSION = 4403
# This address already has SEAT_QUEUE_PLACES_PER_CLIENT places (final).
CLOSE_TOO_MANY_PLACES = 4409
# Changes within this long are answered with one read (admissions come in ticks).
SETTLE_SECONDS = 0.05
# After a failed read of the line, it is read again this much later.
RETRY_SECONDS = 1.0
# Shared pages further back than the next minute's admissions (and at least
# NEAR_PLACES back) get the line at most every FAR_EVERY_SECONDS, and pages
# further back still less often, in proportion to their distance up to
# FARTHEST_EVERY_SECONDS (a page ten minutes back, at 600 a minute, every
# 30 s): their place moves slowly, and at 10,000 waiting pages one frame
# each per admission tick was most of what the room cost the server. A page
# left a move behind gets the line as it is then, at a later catch-up.
FAR_EVERY_SECONDS = 5.0
FARTHEST_EVERY_SECONDS = 30.0
NEAR_PLACES = 10


def line_every(position: int, far_from: int) -> float:
    """How often (seconds) a shared page `position` places from the front
    (0-based) gets the line: every move near the front, rarer further back."""
    if position < far_from:
        return 0.0
    return min(FARTHEST_EVERY_SECONDS, FAR_EVERY_SECONDS * position / far_from)


def queue_group(event_id: int) -> str:
    return f"queue.{event_id}"


@db_call
def _join(event_id: int, holder: str, client: str) -> waiting.QueueStatus:
    waiting.join(event_id=event_id, holder=holder, client=client)
    return waiting.status(event_id=event_id, holder=holder)


@db_call
def _ranks(event_id: int) -> tuple[WaitingRoom, list[int]]:
    room = WaitingRoom.objects.get(event_id=event_id)
    return room, waiting.waiting_ranks(room.id)


@db_call
def _room_version(event_id: int) -> int | None:
    return (
        WaitingRoom.objects.filter(event_id=event_id)
        .values_list("version", flat=True)
        .first()
    )


@db_call
def _statuses(
    room: WaitingRoom, holders: list[str], ranks: list[int]
) -> dict[str, waiting.QueueStatus]:
    return waiting.statuses_in_line(room, holders, ranks, timezone.now())


@db_call
def _leave(event_id: int, holder: str) -> bool:
    return waiting.leave(event_id=event_id, holder=holder)


@dataclass(slots=True)
class Move:
    """One read of the line, as the pages of a process get it."""

    room: WaitingRoom
    ranks: list[int]
    shared: str  # the `queue.line` text, encoded once for every page
    # The room's settings changed (paused, rate, opening, on/off): every
    # page hears of it at once, far back or not.
    settings_changed: bool
    # Pages this far back or further (positions counted from 0) get it at
    # most every FAR_EVERY_SECONDS, further ones less often (line_every).
    far_from: int
    at: float  # loop time
    now: datetime  # wall time of the read


class QueueWatch:
    """One per event and process: the hub's subscriber for `queue.<id>`,
    fanning each change out to the local waiting pages.

    Shared pages far back that just had the line are parked until they are
    due again (`line_every`), in a heap ordered by that time: a move visits
    the pages due and the rest (near the front, older clients, pages not
    waiting), not every page to ask each whether it is due. A change of the
    room's settings visits every page. Parked pages left a move behind get
    the line as it is then at a catch-up, every FAR_EVERY_SECONDS while any
    are behind.
    """

    def __init__(self, event_id: int) -> None:
        self.event_id = event_id
        self.pages: set[QueueConsumer] = set()
        self._pending: asyncio.Task[None] | None = None
        self._dirty = False
        self._settings: tuple | None = None
        self._later: asyncio.TimerHandle | None = None
        # (due, tie-breaker, page), and each parked page's due (an entry
        # whose due differs is stale: the page was visited since).
        self._due: list[tuple[float, int, QueueConsumer]] = []
        self._parked: dict[QueueConsumer, float] = {}
        self._ties = itertools.count()
        # The room's version as last read, and the loop that compares it with
        # the database's (see `check_versions`).
        self._version: int | None = None
        self._checking: asyncio.Task[None] | None = None

    async def deliver(self, text: str) -> None:
        self.wake()

    def wake(self) -> None:
        # A change during a refresh is not lost: the refresh runs once more.
        self._dirty = True
        if self._pending is None or self._pending.done():
            self._pending = asyncio.create_task(self._refresh())

    def leave(self, page: QueueConsumer) -> None:
        self.pages.discard(page)
        self._parked.pop(page, None)
        if not self.pages and self._checking is not None:
            self._checking.cancel()

    def check_versions(self) -> None:
        """Compare the room's version with the database's every heartbeat
        (SEAT_HEARTBEAT_SECONDS) while pages watch it, and re-read the line
        when it moved: an announcement can be lost (a Redis blip, staff
        turning the room off from a command in a process of its own), and a
        page must not wait for a room that is off or paused. One small read
        per event per process per heartbeat."""
        interval = settings.SEAT_HEARTBEAT_SECONDS
        if interval > 0 and (self._checking is None or self._checking.done()):
            self._checking = asyncio.create_task(self._check_forever(interval))

    async def _check_forever(self, interval: float) -> None:
        while self.pages:
            await asyncio.sleep(interval)
            try:
                version = await _room_version(self.event_id)
            except Exception:
                logger.warning("checking queue %s failed", self.event_id, exc_info=True)
                continue
            if version is not None and version != self._version:
                self.wake()

    def saw_version(self, version: int) -> None:
        """A page read the room at `version` (joining): the check starts there."""
        if self._version is None:
            self._version = version

    async def _refresh(self) -> None:
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(SETTLE_SECONDS)
            try:
                room, ranks = await _ranks(self.event_id)
            except Exception:
                logger.warning(
                    "reading queue %s failed; again in %g s",
                    self.event_id,
                    RETRY_SECONDS,
                    exc_info=True,
                )
                self._retry()
                return
            shown = (room.enabled, room.paused, room.rate_per_minute, room.opens_at)
            loop = asyncio.get_running_loop()
            now = timezone.now()
            move = Move(
                room=room,
                ranks=ranks,
                shared=frames.dumps(
                    queue_frames.queue_line(waiting.line_of(room, ranks), now)
                ),
                settings_changed=shown != self._settings,
                # About the next minute's admissions see every move.
                far_from=max(NEAR_PLACES, room.rate_per_minute),
                at=loop.time(),
                now=now,
            )
            self._settings = shown
            self._version = room.version
            behind = await self.pass_over(move)
            if behind and (self._later is None or self._later.cancelled()):
                # Pages left a move behind get the line as it is then.
                self._later = loop.call_later(FAR_EVERY_SECONDS, self._catch_up)

    async def pass_over(self, move: Move) -> bool:
        """Give `move` to the pages it visits and park those not due on the
        next; whether some parked page is left without this move's line."""
        left: list[QueueConsumer] = []
        for page in self._visits(move):
            try:
                if not await page.moved(move):
                    left.append(page)
                    continue
            except Exception:  # a socket closing under us; the others go on
                logger.debug("queue update of %r failed", page, exc_info=True)
                continue
            if page.line_due > move.at and page in self.pages:
                self._park(page, page.line_due)
        if left:
            await self._show_places(left, move)
        version = move.room.version
        return any(p.line_version != version for p in self._parked)

    async def _show_places(self, pages: list[QueueConsumer], move: Move) -> None:
        """Pages whose place left the line (admitted, say): their places are
        read at once, one query per move however many were admitted."""
        holders = [page.holder for page in pages if page.holder]
        try:
            statuses = await _statuses(move.room, holders, move.ranks)
        except Exception:
            logger.warning(
                "reading queue %s places failed; again in %g s",
                self.event_id,
                RETRY_SECONDS,
                exc_info=True,
            )
            # The next move visits these pages again (still out of the line).
            self._retry()
            return
        for page in pages:
            try:
                await page.show(statuses[page.holder])
            except Exception:  # a socket closing under us; the others go on
                logger.debug("queue update of %r failed", page, exc_info=True)

    def _visits(self, move: Move) -> list[QueueConsumer]:
        """The pages this move visits, unparked: every page when the
        settings changed, else those not parked and the parked ones due."""
        if move.settings_changed:
            self._due.clear()
            self._parked.clear()
            return list(self.pages)
        visits = [page for page in self.pages if page not in self._parked]
        due = self._due
        while due and due[0][0] <= move.at:
            when, _, page = heapq.heappop(due)
            if self._parked.get(page) == when:
                del self._parked[page]
                visits.append(page)
        return visits

    def _park(self, page: QueueConsumer, when: float) -> None:
        self._parked[page] = when
        heapq.heappush(self._due, (when, next(self._ties), page))

    def _retry(self) -> None:
        """A read failed (the database away for a moment): the move is read
        again later, so no page is left without it until the next change."""
        asyncio.get_running_loop().call_later(RETRY_SECONDS, self._wake_if_watched)

    def _wake_if_watched(self) -> None:
        if self.pages:
            self.wake()

    def _catch_up(self) -> None:
        self._later = None
        if self.pages:
            self.wake()


_watches: dict[int, QueueWatch] = {}


class QueueConsumer(HubConsumer):
    """One waiting page: its place, pushed whenever the line moves."""

    event_id: int
    holder: str | None = None
    rank: int | None = None
    state: str = "none"
    watch: QueueWatch | None = None
    # `?line=shared`: line moves as the shared `queue.line` frame.
    shared = False
    # When (loop time) this page was last given the shared line, and when it
    # is due the line again (its QueueWatch parks it until then).
    line_at = -float("inf")
    line_due = -float("inf")
    line_version: int | None = None

    async def connect(self) -> None:
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.shared = query.get("line") == ["shared"]
        client = self.scope.get("client") or (None, None)
        # The same limit on new sockets per address as the seat map's.
        if limits.connections.admit(client[0]):
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY_CONNECTIONS)
            return
        await self.accept()
        # A place belongs to a browser session: the page made one.
        self.holder = await db_call(session_holder)(self.scope.get("session"))
        if not self.holder:
            await self.close(code=CLOSE_NO_SESSION)
            return
        # Listen before reading the place, so no admission falls in between.
        self.watch = _watches.get(self.event_id)
        if self.watch is None:
            self.watch = _watches[self.event_id] = QueueWatch(self.event_id)
        self.watch.pages.add(self)
        self.watch.check_versions()
        await get_hub().subscribe(queue_group(self.event_id), self.watch)
        try:
            status = await _join(
                self.event_id, self.holder, limits.client_key(client[0])
            )
        except (WaitingRoom.DoesNotExist, BadRequest):
            await self.close(code=CLOSE_NO_ROOM)
            return
        except TooManyPlaces as failure:
            await self._send(frames.error(failure))
            await self.close(code=CLOSE_TOO_MANY_PLACES)
            return
        self.watch.saw_version(status.version)
        await self.show(status)

    async def disconnect(self, code: int) -> None:
        if self.watch is not None:
            self.watch.leave(self)
            if not self.watch.pages:
                get_hub().unsubscribe(queue_group(self.event_id), self.watch)
                _watches.pop(self.event_id, None)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        try:
            request = json.loads(text_data or "")
            kind = request.get("type") if isinstance(request, dict) else None
        except (ValueError, RecursionError):
            # RecursionError: nested deeper than the parser goes ([[[[…).
            kind = None
        if kind == "leave" and self.holder:
            await _leave(self.event_id, self.holder)
        elif kind == "ping":
            await self._send(frames.pong(timezone.now()))
        else:
            failure: RequestError = BadRequest(
                "The waiting room answers ping and leave."
            )
            await self._send(frames.error(failure))

    async def moved(self, move: Move) -> bool:
        """The line moved: this page gets the shared line or its own place,
        or nothing if it is far back and had the line recently. False if its
        place left the waiting list (admitted, lapsed, left): the watch then
        reads the places of all such pages of the move at once (`show`)."""
        if self.state in ("admitted", "lapsed", "left", "none"):
            # Final until the page joins again: an admitted page opens the
            # seat map (which says when the admission ends).
            return True
        ranks = move.ranks
        if self.state != "waiting" or self.rank is None:
            return False
        at = bisect.bisect_left(ranks, self.rank)
        if at == len(ranks) or ranks[at] != self.rank:
            return False
        if not self.shared:
            await self.show(waiting.status_in_line(move.room, ranks, at + 1, move.now))
            return True
        every = line_every(at, move.far_from)
        if move.settings_changed or move.at - self.line_at >= every:
            self.line_at = move.at
            self.line_due = move.at + every
            self.line_version = move.room.version
            await send_text(self, move.shared)
        else:
            self.line_due = self.line_at + every
        return True

    async def show(self, status: waiting.QueueStatus) -> None:
        self.rank = status.rank
        self.state = status.state
        await self._send(queue_frames.queue_status(status, timezone.now()))

    async def _send(self, frame: Any) -> None:
        await self.send(text_data=frames.dumps(frame))
