"""docs/asyncapi.yaml against the code: the document is sound, every builder's
frame matches it, broken frames do not, and neither side can add a frame type,
an error code or a reason without the document following."""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import json
import re
import types
import typing
from datetime import timedelta

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from plans.document import AreaShape
from realtime.hub import set_server_loop
from realtime.routing import embed_websocket_urlpatterns, websocket_urlpatterns
from seats import activity_log, catchup, errors, layouts, selectors, services
from seats.models import Activity, Seat, SeatStatus
from seats.services.changes import PLAN_CHANGED
from seats.signals import SeatChange, SeatState, group
from seats.waiting import services as waiting
from tests.conftest import T0, later
from tests.contracts.asyncapi import (
    check_client_frame,
    check_server_frame,
    document,
    frame_types,
    message_pointers,
    resolve,
    server_frame,
)
from wire import dashboard_frames, frames, queue_frames
from wire.requests import (
    EMBED_REQUEST_TYPES,
    REQUEST_TYPES,
    FrameError,
    parse_request,
)

# Codes of seats/errors.py that only the REST API can raise (it addresses
# holds by token and bookings by reference); the sockets never do.
# Builders of a part of a frame, checked through the frame they go into.
PARTS = {"live_shared"}
NOT_ON_THE_SOCKET = {"hold_not_found", "booking_not_found", "plan_change_refused"}


def schema(name: str) -> dict:
    return document()["components"]["schemas"][name]


def refs(node: object, path: str = "#") -> typing.Iterator[tuple[str, str]]:
    """Every `$ref` in the document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield path, value
            else:
                yield from refs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from refs(value, f"{path}/{index}")


# (a) The document itself.


def test_the_document_is_asyncapi_3_for_this_protocol_version():
    doc = document()
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["version"] == "1"  # protocol v1 (docs/protocol.md)
    assert doc["defaultContentType"] == "application/json"
    assert {op["action"] for op in doc["operations"].values()} == {"send", "receive"}


def test_the_channels_are_the_routes():
    """Every routed socket has a channel at the same address, and no more."""

    def shape(address: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", "/" + address.lstrip("/"))

    patterns = [*websocket_urlpatterns, *embed_websocket_urlpatterns]
    routes = {shape(str(p.pattern)) for p in patterns if str(p.pattern)}
    addresses = {shape(c["address"]) for c in document()["channels"].values()}
    assert (
        routes
        == addresses
        == {
            "/ws/events/{}/",
            "/ws/events/{}/queue/",
            "/ws/dashboard/",
            "/ws/embed/v1/events/{}/",
        }
    )


def test_every_reference_resolves():
    found = list(refs(document()))
    assert len(found) > 100
    for where, target in found:
        assert target.startswith("#/"), f"{where}: {target} is not local"
        assert resolve(target) is not None, f"{where}: {target}"


def test_every_operation_uses_messages_of_its_own_channel():
    for name, op in document()["operations"].items():
        channel = op["channel"]["$ref"]
        named = op["messages"] + op.get("reply", {}).get("messages", [])
        assert named, name
        for ref in named:
            assert ref["$ref"].startswith(f"{channel}/messages/"), (name, ref)
        if "reply" in op:
            assert op["action"] == "receive", name
            assert op["reply"]["channel"]["$ref"] == channel, name


def test_every_message_is_sent_by_one_side_only():
    server = set(message_pointers("server"))
    client = set(message_pointers("client"))
    names = document()["components"]["messages"]
    everything = {f"#/components/messages/{name}" for name in names}
    assert server | client == everything, "a message no operation uses"
    assert not server & client


@pytest.mark.parametrize("name", sorted(document()["components"]["schemas"]))
def test_every_schema_is_a_valid_json_schema(name):
    """Draft 07 (AsyncAPI's schema format) and Draft 2020-12 alike."""
    Draft7Validator.check_schema(schema(name))
    Draft202012Validator.check_schema(schema(name))
    assert schema(name)["title"] and schema(name)["description"], name


@pytest.mark.parametrize("name", sorted(document()["components"]["messages"]))
def test_every_message_has_a_valid_schema_and_matching_examples(name):
    pointer = f"#/components/messages/{name}"
    message = resolve(pointer)
    assert message["title"] and message["summary"], name
    payload = resolve(f"{pointer}/payload")
    Draft7Validator.check_schema(payload)
    Draft202012Validator.check_schema(payload)
    assert payload["type"] == "object" and payload["properties"]["type"]["const"]
    check = (
        check_server_frame
        if pointer in set(message_pointers("server"))
        else check_client_frame
    )
    assert message["examples"], f"{name} has no example"
    for example in message["examples"]:
        check(example["payload"])


def test_server_frames_stay_open_to_new_fields():
    """Clients ignore unknown fields, so the server may add them (additively)."""
    for pointer in frame_types("server").values():
        assert "additionalProperties" not in resolve(f"{pointer}/payload"), pointer
    for _, target in refs(document()["components"]["schemas"]):
        assert resolve(target).get("additionalProperties") is not False, target


def test_client_frames_may_carry_unknown_fields_because_the_server_ignores_them():
    parse_request(json.dumps({"type": "ping", "colour": "blue"}))
    check_client_frame({"type": "ping", "colour": "blue"})


# (b) What the builders produce from real domain data matches.


def frame_builders() -> dict[str, tuple[types.ModuleType, typing.Callable]]:
    """Every public function of the frame modules (FRAME_MODULES) that
    returns a frame with a `type`, with its module.

    (`coalesced` returns a list of them, from the frames given; its frames
    are checked in tests/realtime/test_coalescing.py.)
    """
    found = {}
    for module in FRAME_MODULES:
        for name, function in vars(module).items():
            if (
                not inspect.isfunction(function)
                or function.__module__ != module.__name__
            ):
                continue
            if name.startswith("_") or name in PARTS:
                continue
            returns = typing.get_type_hints(function).get("return")
            if typing.is_typeddict(returns) and "type" in returns.__annotations__:
                found[name] = (module, function)
    return found


@pytest.fixture
def checked(monkeypatch):
    """Every frame builder, wrapped: each frame it builds is checked and counted."""
    used: dict[str, int] = {}

    def wrap(name, builder):
        @functools.wraps(builder)
        def checking(*args, **kwargs):
            frame = builder(*args, **kwargs)
            check_server_frame(frame)
            # What goes over the wire, too (dumps, then a client's decoder).
            check_server_frame(json.loads(frames.dumps(frame)))
            used[name] = used.get(name, 0) + 1
            return frame

        return checking

    for name, (module, builder) in frame_builders().items():
        monkeypatch.setattr(module, name, wrap(name, builder))
    return used


def test_the_builders_are_found():
    assert set(frame_builders()) >= {"snapshot", "seats_changed", "error", "pong"}


def test_every_builder_makes_frames_that_match(
    event, seat_ids, checked, announcements, django_capture_on_commit_callbacks
):
    me, you, them = "h_me0000000001", "c_you000000001", "h_them00000001"
    eid = event.id

    with django_capture_on_commit_callbacks(execute=True):
        mine = services.hold_seats(
            event_id=eid, holder=me, seat_ids=seat_ids[:3], now=T0
        )
        services.hold_seats(event_id=eid, holder=them, seat_ids=seat_ids[-1:], now=T0)
        best = services.hold_best(event_id=eid, holder=you, count=2, now=T0)
        extended = services.extend_hold(event_id=eid, holder=me, now=later(60))
        released = services.release_seats(
            event_id=eid, holder=me, seat_ids=seat_ids[2:3], now=later(61)
        )
    frames.hold_ok(mine)
    frames.hold_ok(best, "r1")
    frames.extend_ok(extended, 7)
    frames.release_ok(released, -(10**18) + 1)

    # Held seats, an own hold, and the same map for somebody else and nobody.
    for viewer in (me, them, None):
        frames.snapshot(selectors.seat_map(event_id=eid, viewer=viewer, now=later(62)))
    frames.snapshot(selectors.seat_map(event_id=eid, viewer=me, now=later(62)), "x")
    dashboard_frames.dashboard_state(selectors.dashboard_state(now=later(62)))
    dashboard_frames.dashboard_state(selectors.dashboard_state(now=later(62)), "d" * 64)
    # The live snapshot, as a socket in live mode gets it: the text joined
    # from the shared part is the frame the builder makes.
    state = layouts.live_state(eid, later(62))
    layout = layouts.layout_at(eid, state.layout_version)
    ref = {"version": 0, "digest": layout.digest, "url": "/api/layout.json"}
    shared = frames.live_shared(state, ref)
    hold = selectors.own_hold(event_id=eid, holder=me, now=later(62))
    mine = frames.personal(eid, me, hold, later(62), "r7")
    live = frames.live_snapshot(shared, mine)
    assert live["held"] and live["hold"] is not None
    text = frames.live_snapshot_text(frames.dumps(shared), mine)
    assert text == frames.dumps(live)

    with django_capture_on_commit_callbacks(execute=True):
        booked = services.book_seats(
            event_id=eid, holder=me, seat_ids=seat_ids[:2], now=later(63)
        )
        # you and them lapse together: one change, two former holders.
        assert len(services.release_expired(now=later(1000))) == 3
    frames.book_ok(booked, 10**18 - 1)
    frames.snapshot(selectors.seat_map(event_id=eid, viewer=me, now=later(1000)))

    # A booking cancelled through the REST API frees its seats like this.
    cancelled = SeatChange(
        event_id=eid,
        version=announcements[-1].version + 1,
        reason="cancelled",
        at=later(2000),
        groups=(
            group(
                me,
                (
                    SeatState(s, f"A{n}", SeatStatus.AVAILABLE)
                    for n, s in enumerate(seat_ids[:2], 1)
                ),
            ),
        ),
    )
    changes = [*announcements, cancelled]
    assert {c.reason for c in changes} == {
        "held", "released", "extended", "booked", "expired", "cancelled"
    }  # fmt: skip
    assert any(len(c.holders) > 1 for c in changes)
    for change in changes:
        frames.seats_changed(change)
        dashboard_frames.activity(change)
    logged = activity_log.recent_changes(now=later(3000))
    assert any(len(c.holders) > 1 for c in logged)
    dashboard_frames.activity_history(logged, since=T0, now=later(3000))
    dashboard_frames.activity_history([], since=T0, now=later(3000))

    version = selectors.event_version(eid)
    caught = catchup.catch_up(event_id=eid, after=0, now=later(3000))
    assert caught is not None and caught.version == version
    frames.caught_up(caught)
    frames.heartbeat(eid, version, later(3000))
    room = waiting.configure(event_id=eid, enabled=True, opens_at=later(4000))
    waiting.join(event_id=eid, holder=me, now=later(3000))
    queue_frames.queue_status(
        waiting.status(event_id=eid, holder=me, now=later(3000)), later(3000)
    )
    queue_frames.queue_status(
        waiting.status(event_id=eid, holder=you, now=later(3000)), later(3000)
    )
    queue_frames.queue_line(
        waiting.line_of(room, waiting.waiting_ranks(room.id)), later(3000)
    )
    queue_frames.queue_line(waiting.line_of(room, list(range(100))), later(3000))
    queue_frames.queue_changed(eid, room.version)
    frames.plan_changed(eid, version + 1)
    frames.pong(later(3000))
    frames.pong(later(3000), "alive", event_id=eid, version=version)
    hold = selectors.OwnHold(
        held_until=later(3000), max_until=later(3600), seat_ids=[3, 4]
    )
    frames.handoff("ht_token", hold)
    frames.handoff("ht_token", hold, "h1")

    for failure in every_error():
        frames.error(failure)
        frames.error(failure, "r9")
    try:
        services.hold_seats(event_id=eid, holder=you, seat_ids=seat_ids[:1])
    except errors.RequestError as taken:
        frames.error(taken, 3)
    else:
        pytest.fail("a booked seat was held")

    # Every builder ran, and was checked each time.
    assert set(checked) == set(frame_builders()), set(frame_builders()) - set(checked)


def every_error() -> list[errors.RequestError]:
    """One of each error the protocol documents (seats/errors.py)."""
    found = []
    for cls in error_classes():
        if cls is errors.RateLimited:
            found.append(cls(0.12345))
        else:
            found.append(cls(seat_ids=[3, 1, 2]))
            found.append(cls())
    return found


def error_classes() -> list[type[errors.RequestError]]:
    """Every concrete error of seats/errors.py that can reach a socket."""
    pending, found = [errors.RequestError], []
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if (
            cls not in (errors.RequestError, errors.SeatError)
            and cls.__module__ == errors.__name__
            and cls.code not in NOT_ON_THE_SOCKET
        ):
            found.append(cls)
    return found


def test_a_seat_plan_snapshot_matches(db, checked):
    """The Grand Hall: drawn areas, curved rows, wheelchair and companion seats."""
    from plans.management.commands.seed_demo import demo_plan, demo_prices
    from plans.store import create_event

    plan = demo_plan()
    event = create_event(plan=plan, name="Gala", starts_at=T0, prices=demo_prices(plan))
    frame = frames.snapshot(
        selectors.seat_map(event_id=event.id, viewer="h_gala00000001", now=T0)
    )
    assert {a["shape"] for a in frame["plan"]["areas"]} >= {
        "rectangle", "text", "polygon", "circle"
    }  # fmt: skip
    assert any(s["companion_of"] for s in frame["seats"])
    assert any(isinstance(s["x"], float) for s in frame["seats"])
    assert Seat.objects.filter(event=event, wheelchair=True).exists()
    assert checked == {"snapshot": 1}


@pytest.mark.django_db(transaction=True)
async def test_a_broken_frame_from_a_real_consumer_fails_the_socket_tests(
    event, monkeypatch, settings
):
    """The consumer tests' Client checks what it receives: a builder that
    drops a field fails them, naming the frame and the field."""
    from tests.realtime.conftest import Client

    settings.SEAT_HEARTBEAT_SECONDS = 0
    set_server_loop(asyncio.get_running_loop())
    real_pong = frames.pong

    def pong_without_clock(*args, **kwargs):
        frame = dict(real_pong(*args, **kwargs))
        del frame["server_time"]
        return frame

    monkeypatch.setattr(frames, "pong", pong_without_clock)
    client = Client(f"/ws/events/{event.id}/")
    try:
        assert (await client.connect())[0]
        assert (await client.recv())["type"] == "snapshot"
        with pytest.raises(AssertionError, match=r"'pong'(.|\n)*server_time"):
            await client.request({"type": "ping"})
    finally:
        await client.close()
        set_server_loop(None)


# (c) Broken frames are refused, with the type and the path named.


def example(name: str, index: int = 0) -> dict:
    return copy.deepcopy(
        document()["components"]["messages"][name]["examples"][index]["payload"]
    )


def broken(name: str, change: typing.Callable[[dict], object], index: int = 0):
    frame = example(name, index)
    change(frame)
    return frame


BROKEN_SERVER_FRAMES = [
    # (frame, the frame type and the path the message must name)
    (broken("Pong", lambda f: f.pop("server_time")), "'pong'", "server_time"),
    (broken("Pong", lambda f: f.pop("version")), "'pong'", "version"),
    (broken("Heartbeat", lambda f: f.update(version="43")), "'heartbeat'", "version"),
    (
        broken("Snapshot", lambda f: f["seats"][0].update(status="sold")),
        "'snapshot'",
        "$.seats[0].status",
    ),
    (
        broken("Snapshot", lambda f: f["seats"][0].update(holder=None)),
        "'snapshot'",
        "$.seats[0].holder",
    ),
    (
        broken("Snapshot", lambda f: f["seats"][0].pop("wheelchair")),
        "'snapshot'",
        "wheelchair",
    ),
    (
        broken("Snapshot", lambda f: f["categories"][0].update(price=60.0)),
        "'snapshot'",
        "$.categories[0].price",
    ),
    (
        broken("Snapshot", lambda f: f["plan"]["areas"][0].pop("width")),
        "'snapshot'",
        "width",
    ),
    (
        broken("Snapshot", lambda f: f.update(server_time="2026-11-25 17:30")),
        "'snapshot'",
        "$.server_time",
    ),
    (
        broken("SeatsChanged", lambda f: f.update(reason="teleported")),
        "'seats.changed'",
        "$.reason",
    ),
    (
        broken("SeatsChanged", lambda f: f["seats"][0].update(status="available")),
        "'seats.changed'",
        "$.seats[0].holder",
    ),
    (broken("HoldOk", lambda f: f.update(held_until=None)), "'hold.ok'", "held_until"),
    (broken("HoldOk", lambda f: f.update(request_id=1.5)), "'hold.ok'", "request_id"),
    (broken("BookOk", lambda f: f.pop("booking")), "'book.ok'", "booking"),
    (broken("Error", lambda f: f.update(code="oops")), "'error'", "$.code"),
    (broken("Error", lambda f: f.pop("seat_ids")), "'error'", "seat_ids"),
    (broken("Error", lambda f: f.pop("retry_after"), 1), "'error'", "retry_after"),
    (
        broken("Activity", lambda f: f.update(holder="h_x"), 1),
        "'activity'",
        "$.holder",
    ),
    (
        broken("ActivityHistory", lambda f: f["changes"][1].update(seats=[{"id": 1}])),
        "'activity.history'",
        "label",
    ),
    (
        broken("ActivityHistory", lambda f: f.update(changes=f["changes"] * 101)),
        "'activity.history'",
        "$.changes",
    ),
    (
        broken("DashboardState", lambda f: f["events"][0].pop("total")),
        "'dashboard.state'",
        "total",
    ),
    ({"type": "seats.moved", "event": 1}, "'seats.moved'", "not in docs/asyncapi"),
    ({"type": "hold", "seat_ids": [1]}, "'hold'", "not in docs/asyncapi"),
    ({"event": 1}, "without a string type", ""),
    (["snapshot"], "must be an object", ""),
]


@pytest.mark.parametrize(("frame", "kind", "path"), BROKEN_SERVER_FRAMES)
def test_a_broken_server_frame_is_refused(frame, kind, path):
    with pytest.raises(AssertionError) as refused:
        check_server_frame(frame)
    assert kind in str(refused.value) and path in str(refused.value), refused.value


def test_a_received_frame_is_decoded_and_checked():
    assert server_frame(json.dumps(example("Pong"))) == example("Pong")
    with pytest.raises(AssertionError, match="'pong'"):
        server_frame('{"type": "pong"}')
    with pytest.raises(AssertionError, match="non-text"):
        server_frame(b'{"type": "pong"}')


# Client frames: the document accepts exactly what wire/requests.py accepts.

CLIENT_FRAMES = [
    {"type": "hold", "seat_ids": [17, 18]},
    {"type": "hold", "seat_ids": [2**63 - 1], "request_id": "r" * 64},
    {"type": "hold", "seat_ids": [1], "request_id": None},
    {"type": "hold", "seat_ids": [1], "request_id": -(10**18) + 1},
    {"type": "hold", "places": [{"area": "floor", "quantity": 4}]},
    {"type": "hold", "seat_ids": [], "places": [{"area": "floor", "quantity": 1}]},
    {"type": "hold", "seat_ids": [3], "places": [{"area": "a", "quantity": 2}]},
    {"type": "hold_best", "count": 4, "category": "premium"},
    {"type": "hold_best", "count": 2, "accessible": True, "category": None},
    {"type": "release", "seat_ids": [17]},
    {"type": "extend"},
    {"type": "book", "seat_ids": [17, 18], "request_id": 7},
    {"type": "snapshot"},
    {"type": "ping", "request_id": "alive", "unknown": "ignored"},
    # Refused by both.
    {"type": "hold"},
    {"type": "hold", "seat_ids": []},
    {"type": "hold", "seat_ids": [1, 1]},
    {"type": "hold", "seat_ids": [0]},
    {"type": "hold", "seat_ids": [2**63]},
    {"type": "hold", "seat_ids": [True]},
    {"type": "hold", "seat_ids": "17"},
    {"type": "hold", "places": []},
    {"type": "hold", "places": [{"area": "", "quantity": 1}]},
    {"type": "hold", "places": [{"area": "x" * 31, "quantity": 1}]},
    {"type": "hold", "places": [{"area": "floor", "quantity": 0}]},
    {"type": "hold", "places": [{"area": "floor", "quantity": True}]},
    {"type": "hold", "places": [{"area": "floor"}]},
    {"type": "hold", "places": ["floor"]},
    {"type": "hold", "seat_ids": [0], "places": [{"area": "a", "quantity": 1}]},
    {"type": "release", "seat_ids": [-1]},
    {"type": "book", "seat_ids": None},
    {"type": "hold_best"},
    {"type": "hold_best", "count": 0},
    {"type": "hold_best", "count": "2"},
    {"type": "hold_best", "count": False},
    {"type": "hold_best", "count": 1, "category": ""},
    {"type": "hold_best", "count": 1, "category": "a b"},
    {"type": "hold_best", "count": 1, "category": "x" * 41},
    {"type": "hold_best", "count": 1, "accessible": "yes"},
    {"type": "hold_best", "count": 1, "accessible": None},
    {"type": "ping", "request_id": 1.5},
    {"type": "ping", "request_id": True},
    {"type": "ping", "request_id": "r" * 65},
    {"type": "ping", "request_id": 10**18},
    {"type": "ping", "request_id": ["r"]},
    {"type": "nope"},
    {"type": "seats.changed"},
    {"seat_ids": [1]},
]


@pytest.mark.parametrize("frame", CLIENT_FRAMES, ids=lambda f: json.dumps(f)[:60])
def test_the_document_accepts_exactly_the_requests_the_server_does(frame, settings):
    settings.SEAT_MAX_PER_HOLDER = 10  # limits are settings, not shapes
    try:
        parse_request(json.dumps(frame))
        server_accepts = True
    except FrameError:
        server_accepts = False
    try:
        check_client_frame(frame)
        document_accepts = True
    except AssertionError:
        document_accepts = False
    assert document_accepts == server_accepts, (frame, server_accepts)


EMBED_FRAMES = [
    {"type": "handoff"},
    {"type": "handoff", "request_id": 4, "extra": "ignored"},
    {"type": "handoff", "request_id": 1.5},
    {"type": "book", "seat_ids": [1]},
]


@pytest.mark.parametrize("frame", EMBED_FRAMES, ids=lambda f: json.dumps(f)[:60])
def test_the_document_accepts_exactly_what_the_embed_socket_does(frame):
    try:
        parse_request(json.dumps(frame), EMBED_REQUEST_TYPES)
        server_accepts = True
    except FrameError:
        server_accepts = False
    try:
        check_client_frame(frame)
        document_accepts = True
    except AssertionError:
        document_accepts = False
    assert document_accepts == server_accepts, (frame, server_accepts)


def test_the_ordinary_seat_map_refuses_handoff_as_an_unknown_type():
    with pytest.raises(FrameError, match="Unknown type 'handoff'"):
        parse_request(json.dumps({"type": "handoff"}))


# (d) The document cannot drift from the code.


# Where the server's frames are built (wire/).
FRAME_MODULES = (frames, queue_frames, dashboard_frames)


def literal_types() -> set[str]:
    """The `type` values of every TypedDict the frame builders use."""
    found = set()
    for module in FRAME_MODULES:
        for value in vars(module).values():
            if typing.is_typeddict(value) and "type" in value.__annotations__:
                hint = typing.get_type_hints(value)["type"]
                assert typing.get_origin(hint) is typing.Literal, value
                found.update(typing.get_args(hint))
    return found


def test_every_frame_type_the_server_can_send_has_a_schema():
    assert literal_types() == set(frame_types("server"))
    # The same, read from the source text, in case a frame skips its TypedDict.
    source = "".join(inspect.getsource(module) for module in FRAME_MODULES)
    written = set(re.findall(r'"type": "([a-z._]+)"', source))
    written |= set(re.findall(r'type: Literal\["([a-z._]+)"\]', source))
    assert written == set(frame_types("server"))


def test_every_request_type_the_server_accepts_has_a_schema():
    # The embedded seat map's socket accepts the seat map's and `handoff`.
    assert set(EMBED_REQUEST_TYPES) == set(frame_types("client"))
    assert set(EMBED_REQUEST_TYPES) - set(REQUEST_TYPES) == {"handoff"}


def test_the_error_codes_are_those_of_seats_errors():
    documented = set(schema("ErrorCode")["enum"])
    assert documented == {cls.code for cls in error_classes()}


def test_the_change_reasons_are_the_activity_kinds_and_the_plan_change():
    documented = set(schema("ChangeReason")["enum"])
    assert documented == set(Activity.Kind.values) | {PLAN_CHANGED}


def test_the_closed_sets_match_the_code():
    assert set(schema("SeatStatus")["enum"]) == set(SeatStatus.values)
    area_shapes = schema("Area")["properties"]["shape"]["enum"]
    assert set(area_shapes) == set(typing.get_args(AreaShape))


def test_the_timestamp_pattern_is_what_the_code_writes():
    from seats.timefmt import iso

    pattern = re.compile(schema("Timestamp")["pattern"])
    for moment in (T0, T0 + timedelta(microseconds=1), later(0.5)):
        assert pattern.fullmatch(iso(moment)), iso(moment)


def test_the_history_bound_is_the_documented_one():
    changes = schema("ActivityHistoryFrame")["properties"]["changes"]
    assert changes["maxItems"] == activity_log.HISTORY_LIMIT
