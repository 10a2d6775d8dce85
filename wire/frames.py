"""The seat map's frames and the /api/ seat documents, built from the domain.

The waiting room's frames are in `wire.queue_frames`, the staff dashboard's
in `wire.dashboard_frames`; all are encoded by `dumps` here.

Each builder takes the domain's plain data (selector dataclasses, service
results, committed `SeatChange`s, errors) and returns a typed dict (its
shape in `wire.shapes`); `dumps` is the one encoder of the wire package.
The HTTP snapshot and the WebSocket snapshot are the same `snapshot()`
document encoded by the same `dumps`, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Collection, Iterable
from datetime import datetime
from functools import lru_cache
from typing import TypedDict

from django.conf import settings

from seats.catchup import CatchUp
from seats.errors import RateLimited, RequestError
from seats.layouts import Layout, LiveState, SeatPlace
from seats.selectors import (
    CategoryView,
    ChannelView,
    OwnHold,
    PlanView,
    SeatMap,
    SeatView,
)
from seats.services import BookingResult, HoldResult
from seats.signals import SeatChange, SeatState
from seats.timefmt import iso
from wire.shapes import (
    Answer,
    BookOkFrame,
    CategoryFrame,
    ChannelFrame,
    ErrorFrame,
    ExtendOkFrame,
    HandoffFrame,
    HeartbeatFrame,
    HoldOkFrame,
    LayoutDocument,
    LayoutRef,
    LayoutSeatFrame,
    LiveSharedFrame,
    LiveSnapshotFrame,
    OwnHoldFrame,
    PersonalFields,
    PlanChangedFrame,
    PlanFrame,
    PongFrame,
    ReleaseOkFrame,
    RequestId,
    SeatFrame,
    SeatsChangedFrame,
    SeatStateFrame,
    SnapshotFrame,
)


def answering(frame: Answer, request_id: RequestId | None) -> Answer:
    """`frame` as the answer to the request `request_id` (if it had one): the
    client's id comes back as it was sent."""
    if request_id is not None:
        frame["request_id"] = request_id
    return frame


def dumps(document: object) -> str:
    """The one encoder: compact, UTF-8 text as is.

    A string the client sent may hold a lone surrogate (valid JSON, invalid
    UTF-8); it is escaped rather than allowed to break the send.
    """
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, separators=(",", ":"))
    return text


def public_holder(event_id: int, holder: str | None) -> str | None:
    """What everybody else sees of a holder on one event.

    Stable within the event (a client still recognises its own seats: the
    snapshot's `you` is the same id), but a keyed hash of event and holder,
    so one person's activity cannot be linked across events and the
    session's own id is never shown to others. Staff frames keep real ids.
    """
    if not holder:
        return None
    return _public_holder(event_id, holder)


@lru_cache(maxsize=65536)
def _public_holder(event_id: int, holder: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"seats.holder:{event_id}:{holder}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    # Keep the kind prefix (h: browser session, c: one connection).
    return f"{holder[:1]}_{base64.urlsafe_b64encode(digest[:9]).decode()}"


def seat_state(seat: SeatState, event_id: int) -> SeatStateFrame:
    """A seat's new absolute state, as `seats.changed` carries it."""
    return {"id": seat.id, **_status_fields(seat, event_id)}


def seat(view: SeatView, event_id: int) -> SeatFrame:
    """A seat with its place on the map, as the snapshot carries it."""
    status = _status_fields(view, event_id)
    frame: SeatFrame = {
        "id": view.id,
        "label": view.label,
        "section": view.section,
        "row": view.row,
        "number": view.number,
        "x": number(view.x),
        "y": number(view.y),
        "category": view.category,
        "status": status["status"],
        "holder": status["holder"],
        "held_until": status["held_until"],
        "wheelchair": view.wheelchair,
        "companion_of": view.companion_of,
        "restricted_view": view.restricted_view,
        "note": view.note,
        "channel": view.channel,
    }
    if view.area:
        frame["area"] = view.area
    if view.table:
        frame["table"] = view.table
    return frame


def channel(view: ChannelView) -> ChannelFrame:
    return {"id": view.id, "name": view.name, "releases_at": iso(view.releases_at)}


def number(value: float) -> float:
    """A coordinate as JSON: whole numbers stay integers (3, not 3.0)."""
    return int(value) if float(value).is_integer() else value


def plan(view: PlanView | None) -> PlanFrame:
    if view is None:
        return {"name": None, "width": 0, "height": 0, "areas": []}
    frame: PlanFrame = {
        "name": view.name,
        "width": number(view.width),
        "height": number(view.height),
        "areas": view.areas,
    }
    if view.standing:
        frame["standing"] = view.standing
    if view.tables:
        frame["tables"] = view.tables
    return frame


class _StatusFields(TypedDict):
    status: str
    holder: str | None
    held_until: str | None


def _status_fields(seat: SeatState | SeatView, event_id: int) -> _StatusFields:
    # The same three fields, in the same order, in snapshots and changes.
    return {
        "status": seat.status.value,
        "holder": public_holder(event_id, seat.holder),
        "held_until": iso(seat.held_until),
    }


def category(view: CategoryView) -> CategoryFrame:
    return {
        "code": view.code,
        "name": view.name,
        "price": str(view.price),
        "currency": view.currency,
        "color": view.color,
    }


def own_hold(hold: OwnHold | None) -> OwnHoldFrame | None:
    if hold is None:
        return None
    return {
        "held_until": iso(hold.held_until),
        "max_until": iso(hold.max_until),
        "seat_ids": list(hold.seat_ids),
    }


def snapshot(seat_map: SeatMap, request_id: RequestId | None = None) -> SnapshotFrame:
    frame: SnapshotFrame = {
        "type": "snapshot",
        "event": seat_map.event_id,
        "version": seat_map.version,
        "you": public_holder(seat_map.event_id, seat_map.viewer),
        "server_time": iso(seat_map.now),
        "hold": own_hold(seat_map.hold),
        "categories": [category(c) for c in seat_map.categories],
        "seats": [seat(s, seat_map.event_id) for s in seat_map.seats],
        "plan": plan(seat_map.plan),
        "channels": [channel(c) for c in seat_map.channels],
        "channels_unlocked": list(seat_map.channels_unlocked),
    }
    return answering(frame, request_id)


def layout_document(layout: Layout) -> LayoutDocument:
    return {
        "event": layout.event_id,
        "layout_version": layout.layout_version,
        "digest": layout.digest,
        "seats": [_place(s) for s in layout.seats],
        "plan": plan(layout.plan),
        "channels": [channel(c) for c in layout.channels],
    }


def _place(place: SeatPlace) -> LayoutSeatFrame:
    frame: LayoutSeatFrame = {
        "id": place.id,
        "label": place.label,
        "section": place.section,
        "row": place.row,
        "number": place.number,
        "x": number(place.x),
        "y": number(place.y),
        "category": place.category,
        "wheelchair": place.wheelchair,
        "companion_of": place.companion_of,
        "restricted_view": place.restricted_view,
        "note": place.note,
        "channel": place.channel,
    }
    if place.area:
        # Only on places: seats (nearly all) stay as they were.
        frame["area"] = place.area
    if place.table:
        frame["table"] = place.table
    return frame


def layout_ref(layout: Layout, url: str) -> LayoutRef:
    """Where the layout's document is: `url`, the edge's route to it."""
    return {"version": layout.layout_version, "digest": layout.digest, "url": url}


def live_shared(state: LiveState, layout: LayoutRef) -> LiveSharedFrame:
    return {
        "type": "snapshot.live",
        "event": state.event_id,
        "version": state.version,
        "layout": layout,
        "categories": [category(c) for c in state.categories],
        "held": [
            {
                "holder": public_holder(state.event_id, g.holder),
                "held_until": iso(g.held_until),
                "seat_ids": list(g.seat_ids),
            }
            for g in state.held
        ],
        "booked": list(state.booked),
        "blocked": list(state.blocked),
    }


def personal(
    event_id: int,
    viewer: str | None,
    hold: OwnHold | None,
    now: datetime,
    request_id: RequestId | None = None,
    unlocked: Collection[int] = (),
) -> PersonalFields:
    fields: PersonalFields = {
        "you": public_holder(event_id, viewer),
        "hold": own_hold(hold),
        "server_time": iso(now),
        "channels_unlocked": sorted(unlocked),
    }
    return answering(fields, request_id)


def live_snapshot(shared: LiveSharedFrame, mine: PersonalFields) -> LiveSnapshotFrame:
    return {**shared, **mine}


def live_snapshot_text(shared: str, mine: PersonalFields) -> str:
    """`dumps(live_snapshot(...))`, from the shared part's text encoded once
    per event and version (`dumps(live_shared(...))`): only the viewer's
    fields are encoded per socket."""
    return shared[:-1] + "," + dumps(mine)[1:]


def seats_changed(change: SeatChange) -> SeatsChangedFrame:
    return _changed(change.event_id, change.version, change.reason, change.seats)


def _changed(
    event_id: int, version: int, reason: str, seats: Iterable[SeatState]
) -> SeatsChangedFrame:
    return {
        "type": "seats.changed",
        "event": event_id,
        "version": version,
        "reason": reason,
        "seats": [seat_state(s, event_id) for s in seats],
    }


def plan_changed(event_id: int, version: int) -> PlanChangedFrame:
    return {"type": "plan.changed", "event": event_id, "version": version}


def caught_up(change: CatchUp) -> SeatsChangedFrame:
    """The changes a worker missed, read back from the database: a coalesced
    frame like any other, so clients need nothing new to apply it."""
    frame = _changed(change.event_id, change.version, change.reason, change.seats)
    frame["from_version"] = change.from_version
    frame["reasons"] = list(change.reasons)
    return frame


def coalesced(changes: list[SeatsChangedFrame]) -> list[SeatsChangedFrame]:
    """Consecutive changes of one event folded into one frame per unbroken run.

    A run of versions v..w becomes one frame with `from_version` v and
    `version` w, each seat once in its latest state (the states are
    absolute, so the last one is the truth). A gap in the versions (a
    change still on its way) starts a new run, so no frame claims a version
    it does not carry. A run of one change is that change's frame as is.
    """
    ordered = sorted({c["version"]: c for c in changes}.values(), key=_version_of)
    runs: list[list[SeatsChangedFrame]] = []
    for change in ordered:
        if runs and _first_version(change) == runs[-1][-1]["version"] + 1:
            runs[-1].append(change)
        else:
            runs.append([change])
    return [run[0] if len(run) == 1 else _folded(run) for run in runs]


def _version_of(change: SeatsChangedFrame) -> int:
    return change["version"]


def _first_version(change: SeatsChangedFrame) -> int:
    return change.get("from_version", change["version"])


def _folded(run: list[SeatsChangedFrame]) -> SeatsChangedFrame:
    seats: dict[int, SeatStateFrame] = {}
    reasons: list[str] = []
    for change in run:
        for seat in change["seats"]:
            seats.pop(seat["id"], None)  # re-inserted: the order of the last change
            seats[seat["id"]] = seat
        for reason in change.get("reasons", [change["reason"]]):
            if reason not in reasons:
                reasons.append(reason)
    return {
        "type": "seats.changed",
        "event": run[-1]["event"],
        "version": run[-1]["version"],
        "reason": run[-1]["reason"],
        "seats": list(seats.values()),
        "from_version": _first_version(run[0]),
        "reasons": reasons,
    }


def hold_ok(result: HoldResult, request_id: RequestId | None = None) -> HoldOkFrame:
    frame: HoldOkFrame = {
        "type": "hold.ok",
        "seat_ids": list(result.seat_ids),
        "held_until": iso(result.held_until),
        "max_until": iso(result.max_until),
    }
    return answering(frame, request_id)


def release_ok(
    seat_ids: Iterable[int], request_id: RequestId | None = None
) -> ReleaseOkFrame:
    frame: ReleaseOkFrame = {"type": "release.ok", "seat_ids": list(seat_ids)}
    return answering(frame, request_id)


def extend_ok(result: HoldResult, request_id: RequestId | None = None) -> ExtendOkFrame:
    frame: ExtendOkFrame = {
        "type": "extend.ok",
        "held_until": iso(result.held_until),
        "max_until": iso(result.max_until),
    }
    return answering(frame, request_id)


def book_ok(result: BookingResult, request_id: RequestId | None = None) -> BookOkFrame:
    frame: BookOkFrame = {
        "type": "book.ok",
        "seat_ids": list(result.seat_ids),
        "booking": result.reference,
    }
    return answering(frame, request_id)


def handoff(
    token: str, hold: OwnHold, request_id: RequestId | None = None
) -> HandoffFrame:
    """The embedded map's hand-off: the hold's token, its seats and expiry."""
    frame: HandoffFrame = {
        "type": "handoff",
        "hold_token": token,
        "seat_ids": list(hold.seat_ids),
        "held_until": iso(hold.held_until),
    }
    return answering(frame, request_id)


def pong(
    now: datetime,
    request_id: RequestId | None = None,
    *,
    event_id: int | None = None,
    version: int | None = None,
) -> PongFrame:
    frame: PongFrame = {"type": "pong", "server_time": iso(now)}
    if event_id is not None and version is not None:
        frame["event"] = event_id
        frame["version"] = version
    return answering(frame, request_id)


def heartbeat(event_id: int, version: int, now: datetime) -> HeartbeatFrame:
    return {
        "type": "heartbeat",
        "event": event_id,
        "version": version,
        "server_time": iso(now),
    }


def error(failure: RequestError, request_id: RequestId | None = None) -> ErrorFrame:
    """The wire form of any RequestError (the protocol's `error` message)."""
    frame: ErrorFrame = {
        "type": "error",
        "code": failure.code,
        "message": failure.message,
        "seat_ids": list(failure.seat_ids),
    }
    if isinstance(failure, RateLimited):
        frame["retry_after"] = round(failure.retry_after, 3)
    return answering(frame, request_id)
