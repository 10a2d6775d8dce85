"""Hostile frames against a real seat-map socket, through the real ASGI stack.

Hypothesis generates what a broken or malicious client might send: arbitrary
JSON (huge and negative integers, NaN and infinities, lone surrogates, deep
nesting), requests of every type with mistyped fields, text that is not
JSON, binary frames, integers past the parser's digit limit and frames just
over the size limit. Every frame goes to a connected `SeatMapConsumer`, and:

* the reply is the one the protocol (docs/protocol.md) promises: an `error`
  with a documented code, never `server_error`, echoing a valid `request_id`
  and dropping an invalid one; or, for a frame that happens to be valid, the
  matching success reply;
* every frame the server sends is text a real transport can encode as UTF-8
  (the in-memory test transport would pass a lone surrogate through);
* an error changes nothing in the database, and nothing is held or booked;
* the socket still answers a ping.

One connection serves many examples (a fresh one replaces it after a failed
example); at the end the clients are closed and the hub must hold no
subscriber of the event.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from plans.venues import create_venue
from realtime.hub import event_group, get_hub
from seats import services
from seats.models import Booking, Event, Hold, Seat
from tests.contracts.asyncapi import server_frame
from tests.realtime.conftest import Client, local_sockets

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = 250
MAX_FRAME_CHARS = 16 * 1024  # docs/protocol.md: "a frame over 16 KiB"
MAX_REQUEST_ID_CHARS = 64
MAX_PER_HOLDER = 10
MAX_ID = 2**63 - 1  # seat ids are signed 64-bit keys
REQUEST_TYPES = ("book", "extend", "hold", "hold_best", "ping", "release", "snapshot")
DOCUMENTED_CODES = {
    "bad_request",
    "too_many_seats",
    "unknown_seat",
    "seats_unavailable",
    "not_holder",
    "hold_expired",
    "extend_limit",
    "no_adjacent_seats",
    "rate_limited",
    "busy",
    "server_error",
}
SUCCESS = {
    "hold": "hold.ok",
    "hold_best": "hold.ok",
    "release": "release.ok",
    "extend": "extend.ok",
    "book": "book.ok",
    "snapshot": "snapshot",
    "ping": "pong",
}
# Frames the server may push at any time, not replies to anything.
BROADCASTS = {"seats.changed", "heartbeat"}


# What the strategies build.


@dataclass(frozen=True)
class SeatRef:
    """The index-th seat of the test event; its real id is known only at run time."""

    index: int


@dataclass(frozen=True)
class Frame:
    """One frame: JSON data (encoded at run time), raw text, or bytes."""

    data: object = None
    text: str | None = None
    binary: bytes | None = None

    def render(self, seat_ids: list[int]) -> tuple[str | None, bytes | None, object]:
        """(text, bytes, the data the server decodes) to send for this example."""
        if self.binary is not None:
            return None, self.binary, None
        if self.text is not None:
            return self.text, None, None
        data = _resolve(self.data, seat_ids)
        # ensure_ascii: a lone surrogate travels as a valid JSON escape, as a
        # real client would have to send it; allow_nan: NaN and Infinity, which
        # Python's decoder accepts.
        text = json.dumps(data, allow_nan=True)
        # What the server decodes: an escaped surrogate pair comes back as one
        # character, not as the two lone surrogates that were encoded.
        return text, None, json.loads(text)


def _resolve(value: object, seat_ids: list[int]) -> object:
    if isinstance(value, SeatRef):
        return seat_ids[value.index % len(seat_ids)]
    if isinstance(value, list):
        return [_resolve(v, seat_ids) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, seat_ids) for k, v in value.items()}
    return value


# Strategies.

surrogate = st.integers(0xD800, 0xDFFF).map(chr)  # characters() leaves them out
odd_strings = st.sampled_from(
    ["", "\ud800", "\udfff", "a\ud800b", "\udc00\ud800", "\x00", "a\x00b", "\u2028"]
    + ["\ufeff", "é", "🎭", "x" * 64, "x" * 65, "hold", "premium", "null", "1"]
)
strings = st.one_of(
    st.text(max_size=12),
    st.text(st.one_of(st.characters(), surrogate), max_size=8),
    odd_strings,
)
integers = st.one_of(
    st.integers(-5, 20),
    st.integers(),
    st.integers(min_value=2**62, max_value=2**80),
    st.integers(max_value=-(2**62)),
    st.sampled_from(
        [0, -1, MAX_ID, MAX_ID + 1, 2**64, -(2**63), 10**18 - 1, 10**18, 10**64]
    ),
)
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.0, 1.5, -0.0, 1e300, math.nan, math.inf, -math.inf]),
)
scalars = st.one_of(st.none(), st.booleans(), integers, floats, strings)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(strings, children, max_size=4)
    ),
    max_leaves=12,
)
seat_refs = st.builds(SeatRef, st.integers(0, 9))
# Real seats and one id at or past a limit: 0, negative, 2**63 - 1, 2**63...
seat_ids_at_a_limit = st.tuples(
    st.lists(seat_refs, max_size=3, unique=True),
    st.sampled_from([0, -1, MAX_ID, MAX_ID + 1, 2**64, 2**70, -(2**63)]),
).map(lambda t: [*t[0], t[1]])
seat_id_lists = st.one_of(
    # Plausible: distinct seats of the event.
    st.lists(seat_refs, min_size=1, max_size=4, unique=True),
    seat_ids_at_a_limit,
    seat_ids_at_a_limit,
    # Integers only: zero, negative, past 2**63 - 1, next to real ids.
    st.lists(st.one_of(seat_refs, integers), min_size=1, max_size=4),
    # Anything in a list: out-of-range, mistyped, nested, repeated.
    st.lists(
        st.one_of(seat_refs, scalars, st.lists(seat_refs, max_size=2)), max_size=6
    ),
    # More seats than anyone may hold (valid ids, possibly repeated).
    st.lists(seat_refs, min_size=MAX_PER_HOLDER + 1, max_size=MAX_PER_HOLDER + 2),
    st.lists(integers, min_size=MAX_PER_HOLDER + 1, max_size=MAX_PER_HOLDER + 3),
    json_values,
)
counts = st.one_of(st.integers(-2, MAX_PER_HOLDER + 2), integers, floats, json_values)
request_ids = st.one_of(
    strings,
    st.text(min_size=60, max_size=70),
    st.text(st.one_of(st.characters(), surrogate), min_size=1, max_size=64),
    st.lists(surrogate, min_size=1, max_size=3).map("".join),
    integers,
    floats,
    json_values,
)
categories = st.one_of(
    st.sampled_from(["premium", "standard", "balcony", "x" * 40, "x" * 41]),
    strings,
    json_values,
)


typed_requests = st.builds(
    lambda fields, extra: {**extra, **fields},
    st.fixed_dictionaries(
        {"type": st.sampled_from(REQUEST_TYPES)},
        optional={
            "seat_ids": seat_id_lists,
            "count": counts,
            "request_id": request_ids,
            "category": categories,
        },
    ),
    st.dictionaries(strings, json_values, max_size=2),
)
# Each request type with the fields it reads present (and possibly wrong).
seat_requests = st.fixed_dictionaries(
    {"type": st.sampled_from(["hold", "release", "book"]), "seat_ids": seat_id_lists},
    optional={"request_id": request_ids},
)
best_requests = st.fixed_dictionaries(
    {"type": st.just("hold_best"), "count": counts},
    optional={
        "request_id": request_ids,
        "category": categories,
        "accessible": st.one_of(st.booleans(), json_values),
    },
)
echoing_requests = st.fixed_dictionaries(
    {
        "type": st.one_of(st.sampled_from(REQUEST_TYPES), strings),
        "request_id": request_ids,
    }
)
odd_types = st.fixed_dictionaries(
    {
        "type": st.one_of(
            json_values,
            st.sampled_from(["Hold", "hold ", "hold.ok", "pong", "error", "_on_hold"]),
        )
    },
    optional={"request_id": request_ids, "seat_ids": seat_id_lists},
)
deep = st.integers(900, 8000).flatmap(
    lambda n: st.sampled_from(
        [
            "[" * n + "]" * n,
            "[" * n,
            '{"a":' * min(n, 2700) + "1" + "}" * min(n, 2700),
            '{"type":"hold","seat_ids":' + "[" * n + "]" * n + "}",
            '{"type":"ping","request_id":' + "[" * n + "]" * n + "}",
        ]
    )
)
too_many_digits = st.integers(4301, 5000).flatmap(
    lambda n: st.sampled_from(
        [
            '{"type":"hold","seat_ids":[' + "9" * n + "]}",
            '{"type":"ping","request_id":' + "1" * n + "}",
            '{"type":"hold_best","count":-' + "1" * n + "}",
        ]
    )
)
not_json = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", " ", "{", '{"type":', "[1,2", "nul", "'x'", '{"type":"ping",}', "NaN]"]
        + ['{"type":"ping"}{"type":"ping"}', '{"type":"ping"} x', "\x00"]
    ),
)


def _padded(size: int, char: str) -> str:
    """A valid ping of exactly `size` characters."""
    head = '{"type":"ping","request_id":"big","pad":"'
    return head + char * (size - len(head) - 2) + '"}'


sizes = st.one_of(
    st.integers(MAX_FRAME_CHARS + 1, MAX_FRAME_CHARS + 64).map(
        lambda n: _padded(n, "x")
    ),
    st.just(_padded(MAX_FRAME_CHARS, "x")),
    st.just(_padded(MAX_FRAME_CHARS + 1, "é")),
)
frames = st.one_of(
    typed_requests.map(lambda d: Frame(data=d)),
    seat_requests.map(lambda d: Frame(data=d)),
    seat_requests.map(lambda d: Frame(data=d)),
    best_requests.map(lambda d: Frame(data=d)),
    echoing_requests.map(lambda d: Frame(data=d)),
    odd_types.map(lambda d: Frame(data=d)),
    json_values.map(lambda d: Frame(data=d)),
    deep.map(lambda t: Frame(text=t)),
    too_many_digits.map(lambda t: Frame(text=t)),
    not_json.map(lambda t: Frame(text=t)),
    st.one_of(st.binary(max_size=40), st.just(b'{"type":"ping"}')).map(
        lambda b: Frame(binary=b)
    ),
    sizes.map(lambda t: Frame(text=t)),
)


# The oracle: what docs/protocol.md promises for one frame on a socket that
# holds nothing, of an event where nothing is held or booked.


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _request_id_kind(value: object) -> str:
    """'valid' (must be echoed), 'invalid' (refused, not echoed), or 'either'.

    The protocol says "string or number, at most 64 characters": floats and
    integers of 19 to 64 digits are numbers the server may refuse.
    """
    if value is None:
        return "absent"
    if isinstance(value, str):
        return "valid" if len(value) <= MAX_REQUEST_ID_CHARS else "invalid"
    if _is_int(value):
        if abs(value) < 10**18:
            return "valid"
        return "either" if len(str(value)) <= MAX_REQUEST_ID_CHARS else "invalid"
    if isinstance(value, float) and math.isfinite(value):
        return "either"
    return "invalid"


def _bad_request(reply: dict, *, echo: object = None) -> None:
    assert reply["type"] == "error", reply
    assert reply["code"] == "bad_request", reply
    if echo is None:
        assert "request_id" not in reply, reply
    else:
        assert reply.get("request_id") == echo, reply


def check_reply(
    text: str | None, data: object, reply: dict, seat_ids: list[int]
) -> None:
    """The reply must be what the protocol promises for this frame."""
    assert reply["type"] not in BROADCASTS
    if reply["type"] == "error":
        assert reply["code"] in DOCUMENTED_CODES, reply
        assert reply["code"] != "server_error", reply
        assert isinstance(reply["message"], str) and reply["message"], reply
        assert isinstance(reply["seat_ids"], list), reply
        assert all(_is_int(i) for i in reply["seat_ids"]), reply
    if text is None or len(text) > MAX_FRAME_CHARS:
        return _bad_request(reply)  # binary, or over the size limit
    if data is None:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return _bad_request(reply)
    if not isinstance(data, dict):
        return _bad_request(reply)

    request_id = data.get("request_id")
    kind = _request_id_kind(request_id)
    if kind == "invalid" or (
        kind == "either" and reply["type"] == "error" and "request_id" not in reply
    ):
        return _bad_request(reply)
    if kind == "absent":
        assert "request_id" not in reply, reply
    else:
        assert "request_id" in reply and reply["request_id"] == request_id, reply
        assert type(reply["request_id"]) is type(request_id), reply

    type_ = data.get("type")
    if not isinstance(type_, str) or type_ not in SUCCESS:
        return _bad_request(reply, echo=request_id)
    if type_ in ("hold", "release", "book"):
        return _check_seat_request(type_, data, reply, seat_ids)
    if type_ == "hold_best":
        return _check_hold_best(data, reply)
    if type_ == "extend":
        assert reply["type"] == "error" and reply["code"] == "not_holder", reply
        return
    assert reply["type"] == SUCCESS[type_], reply  # snapshot, ping


def _check_seat_request(
    type_: str, data: dict, reply: dict, seat_ids: list[int]
) -> None:
    wanted, request_id = data.get("seat_ids"), data.get("request_id")
    if not (
        isinstance(wanted, list)
        and wanted
        and all(_is_int(i) and 0 < i <= MAX_ID for i in wanted)
    ):
        return _bad_request(reply, echo=request_id)
    if len(set(wanted)) != len(wanted):
        return _bad_request(reply, echo=request_id)
    if len(wanted) > MAX_PER_HOLDER:
        assert reply["type"] == "error" and reply["code"] == "too_many_seats", reply
        return
    unknown = sorted(set(wanted) - set(seat_ids))
    if unknown:
        assert reply["type"] == "error" and reply["code"] == "unknown_seat", reply
        assert reply["seat_ids"] == unknown, reply
        return
    if type_ == "hold":
        assert reply["type"] == "hold.ok", reply
        assert reply["seat_ids"] == sorted(wanted), reply
        return
    # Nothing is held: releasing or booking a real seat is not yours to do.
    assert reply["type"] == "error" and reply["code"] == "not_holder", reply
    assert reply["seat_ids"] == sorted(wanted), reply


def _check_hold_best(data: dict, reply: dict) -> None:
    count, category = data.get("count"), data.get("category")
    request_id = data.get("request_id")
    if not _is_int(count) or count < 1:
        return _bad_request(reply, echo=request_id)
    if count > MAX_PER_HOLDER:
        assert reply["type"] == "error" and reply["code"] == "too_many_seats", reply
        return
    if category is not None and not (
        isinstance(category, str) and 0 < len(category) <= 40
    ):
        return _bad_request(reply, echo=request_id)
    accessible = data.get("accessible", False)
    if not isinstance(accessible, bool):
        return _bad_request(reply, echo=request_id)
    if category is not None and category not in ("premium", "standard"):
        # Not a category of this event (whatever characters it holds).
        return _bad_request(reply, echo=request_id)
    if accessible:
        # The venue has no wheelchair spaces.
        assert reply["type"] == "error", reply
        assert reply["code"] == "no_accessible_seats", reply
        return
    # An empty venue of two rows of five seats, the first row premium.
    if count <= 5:
        assert reply["type"] == "hold.ok", reply
        assert len(reply["seat_ids"]) == count, reply
    else:
        assert reply["type"] == "error", reply
        assert reply["code"] == "no_adjacent_seats", reply


# The socket and the database, around each example.


@database_sync_to_async
def database_state(event_id: int) -> tuple:
    """Everything a request could change."""
    return (
        Event.objects.values_list("version", flat=True).get(pk=event_id),
        list(
            Seat.objects.filter(event_id=event_id)
            .order_by("pk")
            .values_list("id", "hold_id", "holder", "held_until", "booking_id")
        ),
        Hold.objects.count(),
        Booking.objects.count(),
    )


@database_sync_to_async
def anything_taken(event_id: int) -> bool:
    seats = Seat.objects.filter(event_id=event_id)
    return (
        seats.exclude(holder="").exists()
        or seats.filter(booking__isnull=False).exists()
        or seats.filter(hold__isnull=False).exists()
    )


@database_sync_to_async
def free_everything(event_id: int) -> None:
    """Undo a request that happened to be valid: release what it held."""
    holders = set(
        Seat.objects.filter(event_id=event_id)
        .exclude(holder="")
        .values_list("holder", flat=True)
    )
    for holder in holders:
        services.release_all(event_id=event_id, holder=holder)
    assert not Booking.objects.exists(), "a hostile frame booked seats"


@dataclass
class Session:
    event_id: int
    seat_ids: list[int]
    client: Client | None = None
    examples: int = 0
    errors: int = 0
    successes: int = 0
    reconnects: int = 0

    async def connected(self) -> Client:
        if self.client is None:
            client = Client(f"/ws/events/{self.event_id}/")
            connected, _ = await client.connect()
            assert connected
            self.client = client
            snapshot = await self.receive()
            assert snapshot["type"] == "snapshot", snapshot
        return self.client

    async def receive(self) -> dict:
        """The next frame, checked to be text a real transport can send."""
        assert self.client is not None
        text = await self.client.ws.receive_from(timeout=5)
        assert isinstance(text, str), text
        # Daphne encodes every text frame as UTF-8: a lone surrogate in it
        # would fail the send (and drop the reply) on a real server.
        text.encode("utf-8")
        # And it is a frame docs/asyncapi.yaml describes, whatever was sent.
        return server_frame(text)

    async def reply(self) -> dict:
        """The next frame that is not a broadcast."""
        while True:
            message = await self.receive()
            if message["type"] not in BROADCASTS:
                return message

    async def drop(self) -> None:
        """Close the current client (after a failed example, or at the end)."""
        client, self.client = self.client, None
        if client is not None:
            try:
                await client.close()
            except Exception:  # already gone: the hub check below still runs
                pass


@pytest.fixture
def hostile_settings(settings):
    settings.SEAT_HOLD_SECONDS = 300
    settings.SEAT_HOLD_MAX_SECONDS = 900
    settings.SEAT_MAX_PER_HOLDER = MAX_PER_HOLDER
    # No request rate limit, whatever the environment: floods are not the point.
    settings.SEAT_REQUESTS_PER_SECOND = 0
    return settings


@pytest.fixture
def venue(db, hostile_settings) -> Event:
    """The venue the oracle knows: rows A (premium) and B, five seats each.

    Without the single-seat rule: the oracle judges frames, not seat choices.
    """
    return create_venue(
        name="Hostile Night",
        rows=2,
        seats_per_row=5,
        premium_rows=1,
        avoid_single_seats=False,
    )


@pytest.fixture
async def session(venue):
    seat_ids = await database_sync_to_async(
        lambda: list(
            Seat.objects.filter(event=venue).order_by("pk").values_list("id", flat=True)
        )
    )()
    state = Session(event_id=venue.id, seat_ids=seat_ids)
    yield state
    await state.drop()
    # Closed sockets leave no subscriber behind in the hub.
    assert local_sockets(get_hub(), event_group(venue.id)) == 0
    assert not await anything_taken(venue.id)
    if state.reconnects:
        return  # an example failed: the test reports it, the counts mean nothing
    # The run really exchanged the frames (a strategy that silently produced
    # nothing, or a test body that returned early, would show here).
    assert state.examples >= MAX_EXAMPLES * 0.9, state
    assert state.errors and state.successes, state


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(frame=frames)
# The cases named in the protocol and in earlier bugs, every run.
@example(frame=Frame(data={"type": "ping", "request_id": "\ud800"}))
@example(frame=Frame(data={"type": "nope", "request_id": "a\udfffb"}))
@example(frame=Frame(data={"type": "hold", "seat_ids": [MAX_ID + 1]}))
@example(frame=Frame(data={"type": "hold", "seat_ids": [2**64, 1]}))
@example(frame=Frame(data={"type": "release", "seat_ids": [MAX_ID]}))
@example(frame=Frame(data={"type": "hold", "seat_ids": [SeatRef(0), SeatRef(0)]}))
@example(frame=Frame(data={"type": "hold_best", "count": 1, "category": "x" * 41}))
@example(frame=Frame(data={"type": "hold_best", "count": 1, "category": "\ud800"}))
@example(frame=Frame(data={"type": "hold_best", "count": 2, "category": "a\x00b"}))
@example(frame=Frame(data={"type": "hold_best", "count": 2**70}))
@example(frame=Frame(data={"type": "hold_best", "count": True}))
@example(frame=Frame(data={"type": "ping", "request_id": 10**18}))
@example(frame=Frame(data={"type": "ping", "request_id": math.nan}))
@example(frame=Frame(text="[" * 8000 + "]" * 8000))
@example(frame=Frame(text="[" * 10000 + "]" * 10000))
@example(frame=Frame(text='{"type":"hold","seat_ids":[' + "9" * 4301 + "]}"))
@example(frame=Frame(text=_padded(MAX_FRAME_CHARS + 1, "x")))
@example(frame=Frame(text=_padded(MAX_FRAME_CHARS, "x")))
@example(frame=Frame(text=""))
@example(frame=Frame(binary=b""))
@example(frame=Frame(binary=b'{"type":"ping"}'))
async def test_hostile_frames_get_documented_errors_and_change_nothing(
    session: Session, frame: Frame
):
    client = await session.connected()
    session.examples += 1
    try:
        assert not await anything_taken(session.event_id)
        before = await database_state(session.event_id)
        text, binary, data = frame.render(session.seat_ids)
        # Straight to ASGI: the communicator's send_to refuses empty frames.
        message = {"text": text} if binary is None else {"bytes": binary}
        await client.ws.send_input({"type": "websocket.receive", **message})
        reply = await session.reply()
        check_reply(text, data, reply, session.seat_ids)
        if reply["type"] == "error":
            session.errors += 1
            assert await database_state(session.event_id) == before
            assert not await anything_taken(session.event_id)
        else:
            session.successes += 1
            await free_everything(session.event_id)
        # Still usable: a ping gets its pong.
        await client.send({"type": "ping", "request_id": "alive"})
        pong = await session.reply()
        assert pong["type"] == "pong" and pong["request_id"] == "alive", pong
    except BaseException:
        # The next example starts on a fresh socket.
        session.reconnects += 1
        await session.drop()
        raise


@pytest.mark.parametrize("category", ["\ud800", "a\x00b", "premium\n", "Ω"])
async def test_a_category_no_database_can_store_is_a_bad_request(venue, category):
    """Was server_error: the category went to the database, which cannot encode
    a lone surrogate (any database) or store NUL (PostgreSQL)."""
    client = Client(f"/ws/events/{venue.id}/")
    assert (await client.connect())[0]
    assert (await client.recv())["type"] == "snapshot"
    await client.send_raw(
        text=json.dumps(
            {"type": "hold_best", "count": 1, "category": category, "request_id": 1}
        )
    )
    reply = await client.recv_type("error")
    await client.close()
    assert reply["code"] == "bad_request", reply
    assert reply["request_id"] == 1
