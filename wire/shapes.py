"""The shape of every frame and JSON document of the protocol, as types.

docs/asyncapi.yaml is the contract; these TypedDicts say the same to mypy,
and `wire.frames` builds them. A new field goes here, there and into
docs/protocol.md.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, TypeVar

RequestId = str | int


# Seat entries: the same shape in snapshots and in seats.changed.


class SeatStateFrame(TypedDict):
    id: int
    status: str
    holder: str | None
    held_until: str | None


class SeatFrame(SeatStateFrame):
    label: str
    section: str
    row: str
    number: int
    x: float  # plan units; an integer when whole
    y: float
    category: str
    wheelchair: bool
    companion_of: int | None  # the wheelchair space this companion seat goes with
    restricted_view: bool
    note: str
    area: NotRequired[str]  # on a standing area's places only
    table: NotRequired[str]  # on seats at a table only
    channel: int | None  # the sales channel keeping it (docs/presales.md)


class ChannelFrame(TypedDict):
    """A sales channel of the event: its seats are not on sale to anyone who
    has not unlocked it, until `releases_at` (null: until staff say so)."""

    id: int
    name: str
    releases_at: str | None


class PlanFrame(TypedDict):
    """The plan's extent (plan units), its drawn shapes (stage, labels) and
    its standing areas (only when it has some)."""

    name: str | None
    width: float
    height: float
    areas: list[dict[str, Any]]
    standing: NotRequired[list[dict[str, Any]]]
    tables: NotRequired[list[dict[str, Any]]]


class CategoryFrame(TypedDict):
    code: str
    name: str
    price: str
    currency: str
    color: str


class OwnHoldFrame(TypedDict):
    held_until: str | None
    max_until: str | None
    seat_ids: list[int]


class SnapshotFrame(TypedDict):
    type: Literal["snapshot"]
    event: int
    version: int
    you: str | None
    server_time: str | None
    hold: OwnHoldFrame | None
    categories: list[CategoryFrame]
    seats: list[SeatFrame]
    plan: PlanFrame
    channels: list[ChannelFrame]
    channels_unlocked: list[int]
    request_id: NotRequired[RequestId]


class LayoutSeatFrame(TypedDict):
    """A seat's place and what never changes about it during a sale."""

    id: int
    label: str
    section: str
    row: str
    number: int
    x: float
    y: float
    category: str
    wheelchair: bool
    companion_of: int | None
    restricted_view: bool
    note: str
    area: NotRequired[str]  # on a standing area's places only
    table: NotRequired[str]  # on seats at a table only
    channel: int | None


class LayoutDocument(TypedDict):
    """GET /api/events/<id>/layout/<digest>.json: the map's drawing, kept by
    browsers (immutable: a new layout has another digest)."""

    event: int
    layout_version: int
    digest: str
    seats: list[LayoutSeatFrame]
    plan: PlanFrame
    channels: list[ChannelFrame]


class LayoutRef(TypedDict):
    version: int
    digest: str
    url: str


class HeldGroupFrame(TypedDict):
    """The seats of one running hold: its holder (public id) and its expiry."""

    holder: str | None
    held_until: str | None
    seat_ids: list[int]


class LiveSharedFrame(TypedDict):
    """What every viewer of an event at one version gets in a live snapshot."""

    type: Literal["snapshot.live"]
    event: int
    version: int
    layout: LayoutRef
    categories: list[CategoryFrame]
    held: list[HeldGroupFrame]
    booked: list[int]
    blocked: list[int]


class PersonalFields(TypedDict):
    """A snapshot's part for its viewer alone (and its request's id)."""

    you: str | None
    hold: OwnHoldFrame | None
    server_time: str | None
    channels_unlocked: list[int]
    request_id: NotRequired[RequestId]


class LiveSnapshotFrame(LiveSharedFrame, PersonalFields):
    """A snapshot of what changes: the seats that are not available, grouped
    by status; the layout is the document at `layout.url`."""


class SeatsChangedFrame(TypedDict):
    type: Literal["seats.changed"]
    event: int
    version: int
    reason: str
    seats: list[SeatStateFrame]
    # Only on a frame that stands for several consecutive changes
    # (`coalesced`): the first version it covers, and each change's reason.
    from_version: NotRequired[int]
    reasons: NotRequired[list[str]]


class PlanChangedFrame(TypedDict):
    """The event's seating plan changed: seats moved, came or went. The
    change has a version of its own; clients reload the snapshot."""

    type: Literal["plan.changed"]
    event: int
    version: int


class HoldOkFrame(TypedDict):
    type: Literal["hold.ok"]
    seat_ids: list[int]
    held_until: str | None
    max_until: str | None
    request_id: NotRequired[RequestId]


class ReleaseOkFrame(TypedDict):
    type: Literal["release.ok"]
    seat_ids: list[int]
    request_id: NotRequired[RequestId]


class ExtendOkFrame(TypedDict):
    type: Literal["extend.ok"]
    held_until: str | None
    max_until: str | None
    request_id: NotRequired[RequestId]


class BookOkFrame(TypedDict):
    type: Literal["book.ok"]
    seat_ids: list[int]
    booking: str
    request_id: NotRequired[RequestId]


class HandoffFrame(TypedDict):
    """The embedded map's hand-off: the running hold's token for the shop."""

    type: Literal["handoff"]
    hold_token: str
    seat_ids: list[int]
    held_until: str | None
    request_id: NotRequired[RequestId]


class PongFrame(TypedDict):
    type: Literal["pong"]
    server_time: str | None
    # The seat-map socket's event and its current version (not on the staff
    # socket): a client behind it resyncs.
    event: NotRequired[int]
    version: NotRequired[int]
    request_id: NotRequired[RequestId]


class QueueStatusFrame(TypedDict):
    type: Literal["queue.status"]
    event: int
    version: int
    state: str
    position: int | None
    waiting: int
    opens_at: str | None
    admitted_until: str | None
    rate_per_minute: int
    paused: bool
    estimated_wait_seconds: int | None
    server_time: str | None
    rank: int | None


class QueueLineFrame(TypedDict):
    type: Literal["queue.line"]
    event: int
    version: int
    enabled: bool
    waiting: int
    opens_at: str | None
    rate_per_minute: int
    paused: bool
    marks: list[list[int]]
    server_time: str | None


class QueueChangedFrame(TypedDict):
    type: Literal["queue.changed"]
    event: int
    version: int


class HeartbeatFrame(TypedDict):
    type: Literal["heartbeat"]
    event: int
    version: int
    server_time: str | None


class ErrorFrame(TypedDict):
    type: Literal["error"]
    code: str
    message: str
    seat_ids: list[int]
    # rate_limited only: seconds until a request will be taken again.
    retry_after: NotRequired[float]
    request_id: NotRequired[RequestId]


# The staff dashboard.


class ActivitySeatFrame(TypedDict):
    id: int
    label: str


class ActivityFrame(TypedDict):
    type: Literal["activity"]
    event: int
    version: int
    reason: str
    holder: str | None
    holders: list[str]
    at: str | None
    seats: list[ActivitySeatFrame]


class ActivityHistoryFrame(TypedDict):
    """The changes of the last hour (at most a bounded number), oldest first,
    sent once when the staff socket opens."""

    type: Literal["activity.history"]
    server_time: str | None
    since: str | None
    changes: list[ActivityFrame]


class EventSummaryFrame(TypedDict):
    id: int
    name: str
    starts_at: str | None
    version: int
    total: int
    available: int
    held: int
    booked: int
    blocked: int


class RunningHoldFrame(TypedDict):
    id: int
    event: int
    holder: str
    seats: list[str]
    expires_at: str | None
    held_for: str | None


class DashboardStateFrame(TypedDict):
    type: Literal["dashboard.state"]
    server_time: str | None
    events: list[EventSummaryFrame]
    holds: list[RunningHoldFrame]
    request_id: NotRequired[RequestId]


# HTTP documents.


class EventListDocument(TypedDict):
    events: list[EventSummaryFrame]


class ReleasedDocument(TypedDict):
    released: int


class ForbiddenDocument(TypedDict):
    error: Literal["forbidden"]
    message: str


# Every frame that can answer a request.
Answer = TypeVar(
    "Answer",
    SnapshotFrame,
    PersonalFields,
    HoldOkFrame,
    ReleaseOkFrame,
    ExtendOkFrame,
    BookOkFrame,
    HandoffFrame,
    PongFrame,
    ErrorFrame,
    DashboardStateFrame,
)
