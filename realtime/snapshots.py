"""Live snapshots: what a socket in live mode gets on connect and on request.

A seat-map socket opened with `?snapshot=live` gets `snapshot.live` instead
of the full snapshot: the seats that are not available and a link to the
layout document (api: served once, kept by the browser). All of it but the
viewer's own fields is the same for every viewer of the event at one
version: encoded once per (event, version) in each process and kept here,
so an on-sale's thousands of arrivals cost a version read, the viewer's own
hold and a string join each. Runs where the socket's database work runs
(realtime.db).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from seats import layouts, selectors
from seats.holders import is_connection_holder
from wire import frames
from wire.shapes import RequestId

# Shared parts kept, newest last: a busy event makes a version every few
# milliseconds, and only the newest few are asked for.
KEPT = 256

_shared: OrderedDict[tuple[int, int], str] = OrderedDict()
_lock = threading.Lock()


def snapshot_text(
    event_id: int,
    viewer: str,
    live: bool,
    request_id: RequestId | None = None,
    *,
    unlocked: Collection[int] = (),
) -> str:
    """The text of the viewer's snapshot, live or full (`unlocked`: the
    sales channels the viewer unlocked); Event.DoesNotExist if the event is
    gone."""
    if live:
        return live_snapshot(
            event_id=event_id, viewer=viewer, request_id=request_id, unlocked=unlocked
        )
    seat_map = selectors.seat_map(event_id=event_id, viewer=viewer, unlocked=unlocked)
    return frames.dumps(frames.snapshot(seat_map, request_id))


def live_snapshot(
    *,
    event_id: int,
    viewer: str | None,
    request_id: RequestId | None = None,
    now: datetime | None = None,
    unlocked: Collection[int] = (),
) -> str:
    """The text of the viewer's `snapshot.live`; Event.DoesNotExist if unknown."""
    now = now or timezone.now()
    shared = live_shared(event_id, now)
    return with_viewer(shared, event_id, viewer, now, request_id, unlocked=unlocked)


def live_shared(event_id: int, now: datetime) -> str:
    """The encoded part of `snapshot.live` every viewer shares, at the
    event's version now; Event.DoesNotExist if unknown."""
    version = selectors.event_version(event_id)
    shared = _kept(event_id, version)
    if shared is None:
        state = layouts.live_state(event_id, now)
        layout = layouts.layout_at(event_id, state.layout_version)
        url = reverse("api-event-layout", args=[event_id, layout.digest])
        ref = frames.layout_ref(layout, url)
        shared = frames.dumps(frames.live_shared(state, ref))
        _keep(event_id, state.version, shared)
    return shared


def with_viewer(
    shared: str,
    event_id: int,
    viewer: str | None,
    now: datetime,
    request_id: RequestId | None = None,
    *,
    unlocked: Collection[int] = (),
) -> str:
    """`shared` (from live_shared) completed with the viewer's own part."""
    # A connection's own holder was made just now: it holds nothing yet.
    hold = None
    if viewer and not is_connection_holder(viewer):
        hold = selectors.own_hold(event_id=event_id, holder=viewer, now=now)
    mine = frames.personal(event_id, viewer, hold, now, request_id, unlocked)
    return frames.live_snapshot_text(shared, mine)


def _kept(event_id: int, version: int) -> str | None:
    with _lock:
        found = _shared.get((event_id, version))
        if found is not None:
            _shared.move_to_end((event_id, version))
        return found


def _keep(event_id: int, version: int, shared: str) -> None:
    with _lock:
        _shared[(event_id, version)] = shared
        while len(_shared) > KEPT:
            _shared.popitem(last=False)
