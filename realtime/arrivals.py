"""Sockets arriving at one event together share one trip to the database.

An on-sale's arrivals come by the thousand within seconds, all to one
event, and each needs its holder (from its session) and a first snapshot.
One trip per socket costs a thread hop, a version read and the loop's
wake-up for each; here the arrivals that come while a trip is under way
wait for the next one, which reads the version and builds the shared part
once for all of them (at most BATCH per trip). Nobody waits longer than
one trip already running: a lone arrival goes at once.

Each socket subscribes to its event before it queues here, so whatever
version the trip reads, every later change reaches it (as before).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from realtime import snapshots
from realtime.db import db_call
from seats.holders import connection_holder, session_channels, session_holder
from seats.models import Event

logger = logging.getLogger(__name__)

# Most arrivals served by one trip: bounds how long one trip holds its
# thread (a session's viewer costs its own hold's read).
BATCH = 200


# A socket's holder, the sales channels it unlocked, its first snapshot's text.
Arrived = tuple[str, frozenset[int], str]


@dataclass
class _Arrival:
    scope: dict
    answer: asyncio.Future[Arrived]


@dataclass
class _Queue:
    waiting: list[_Arrival] = field(default_factory=list)
    running: bool = False


_queues: dict[tuple[int, bool], _Queue] = {}


async def arrive(scope: dict, event_id: int, live: bool) -> Arrived:
    """This socket's holder, the sales channels its session unlocked and
    the text of its first snapshot (live or full); Event.DoesNotExist if
    the event is gone."""
    loop = asyncio.get_running_loop()
    key = (event_id, live)
    queue = _queues.setdefault(key, _Queue())
    arrival = _Arrival(scope, loop.create_future())
    queue.waiting.append(arrival)
    if not queue.running:
        queue.running = True
        loop.create_task(_serve(key, queue))
    return await arrival.answer


async def _serve(key: tuple[int, bool], queue: _Queue) -> None:
    """Trips for the queued arrivals until none are left."""
    event_id, live = key
    try:
        while queue.waiting:
            batch = [a for a in queue.waiting[:BATCH] if not a.answer.done()]
            del queue.waiting[:BATCH]
            if not batch:
                continue
            try:
                answers = await _trip(event_id, live, [a.scope for a in batch])
            except Exception as error:  # the event gone, the database away
                for arrival in batch:
                    if not arrival.answer.done():
                        arrival.answer.set_exception(error)
                continue
            for arrival, answer in zip(batch, answers, strict=True):
                if arrival.answer.done():
                    continue
                if isinstance(answer, BaseException):
                    arrival.answer.set_exception(answer)
                else:
                    arrival.answer.set_result(answer)
    finally:
        queue.running = False
        if not queue.waiting and _queues.get(key) is queue:
            del _queues[key]


@db_call
def _trip(event_id: int, live: bool, scopes: list[dict]) -> list[Arrived | Exception]:
    """Each scope's holder, channels and snapshot text; an arrival whose own
    part fails gets its exception, the rest their answers."""
    now = timezone.now()
    shared = snapshots.live_shared(event_id, now) if live else None
    answers: list[Arrived | Exception] = []
    for scope in scopes:
        try:
            session = scope.get("session")
            holder = session_holder(session) or connection_holder()
            unlocked = session_channels(session, event_id)
            if shared is not None:
                text = snapshots.with_viewer(
                    shared, event_id, holder, now, unlocked=unlocked
                )
            else:
                text = snapshots.snapshot_text(
                    event_id, holder, live=False, unlocked=unlocked
                )
            answers.append((holder, unlocked, text))
        except Event.DoesNotExist:
            raise
        except Exception as error:
            logger.exception("arrival failed")
            answers.append(error)
    return answers
