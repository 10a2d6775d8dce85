"""A client of the seat-map WebSocket protocol (v1), over a real socket.

One reader task per connection: a frame carrying a `request_id` answers the
request that sent it; every other frame is a broadcast. Broadcasts go to an
`on_broadcast(text, received_at)` callback, unparsed and stamped with
`time.monotonic()` as they come off the socket, so a load generator with
thousands of sockets pays for no JSON it does not read; without a callback
the client parses and keeps each `seats.changed` itself, for tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection, connect

CONNECT_CONCURRENCY = 50
T = TypeVar("T")
OnBroadcast = Callable[[str, float], None]
# Given a client's snapshot, the broadcast callback for that client.
OnOpen = Callable[[dict], OnBroadcast]


def origin_of(url: str) -> str:
    """The page origin a browser would send for a socket at `url` (same origin)."""
    parts = urlsplit(url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}"


def seat_map_path(event_id: int, *, live: bool = False) -> str:
    """Where an event's seat map is served (the route in realtime/routing.py);
    `live`: with live snapshots (docs/protocol.md, `snapshot.live`)."""
    return f"/ws/events/{event_id}/" + ("?snapshot=live" if live else "")


def ignore(text: str, received_at: float) -> None:
    """A broadcast callback that drops every broadcast unread."""


async def open_socket(url: str) -> ClientConnection:
    """A socket as a browser would open it: an Origin, no pings, no deflate."""
    return await connect(
        url,
        origin=origin_of(url),
        compression=None,
        ping_interval=None,
        max_queue=None,
        max_size=8 * 1024 * 1024,
        open_timeout=60,
        proxy=None,
        user_agent_header=None,
    )


class SeatMapClient:
    """One connection: replies go to `request` callers, broadcasts elsewhere.

    With `on_broadcast`, every broadcast goes to it and none is kept; without,
    each `seats.changed` is appended to `changes` (what `wait_for` and
    `seat_states` read).
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        ws: ClientConnection,
        snapshot: dict,
        on_broadcast: OnBroadcast | None = None,
    ):
        self.ws = ws
        self.snapshot = snapshot
        self.you: str | None = snapshot.get("you")
        self.changes: list[dict] = []
        self.changed = asyncio.Event()
        self.closed = False
        # The first frame's size on the wire (the full or the live snapshot).
        self.snapshot_bytes = 0
        self._on_broadcast = on_broadcast or self._keep_change
        self._waiting: dict[str, asyncio.Future] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls,
        url: str,
        on_broadcast: OnBroadcast | None = None,
        on_open: OnOpen | None = None,
    ) -> SeatMapClient:
        """Connected, with the server's first frame (the snapshot) read.

        `on_open`, if given, makes the client's broadcast callback from its
        snapshot (a per-client version audit starts where the snapshot is).
        """
        ws = await open_socket(url)
        text = await ws.recv()
        snapshot = json.loads(text)
        if snapshot.get("type") not in ("snapshot", "snapshot.live"):
            await ws.close()
            raise RuntimeError(f"expected a snapshot, got {snapshot!r:.200}")
        if on_open is not None:
            on_broadcast = on_open(snapshot)
        client = cls(ws, snapshot, on_broadcast)
        client.snapshot_bytes = len(text.encode() if isinstance(text, str) else text)
        return client

    async def request(self, message: dict, timeout: float = 30) -> dict:
        """The reply to `message` (sent with a fresh request_id)."""
        request_id = f"r{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            await self.ws.send(json.dumps({**message, "request_id": request_id}))
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(request_id, None)

    async def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 10):
        """The first kept `seats.changed` (seen or to come) matching `predicate`."""
        deadline = asyncio.get_running_loop().time() + timeout
        seen = 0
        while True:
            for change in self.changes[seen:]:
                if predicate(change):
                    return change
            seen = len(self.changes)
            self.changed.clear()
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                seen_last = [
                    (c.get("version"), c.get("reason")) for c in self.changes[-5:]
                ]
                raise TimeoutError(
                    f"no matching seats.changed arrived; the last ones: {seen_last}"
                )
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                pass

    def seat_states(self) -> dict[int, str]:
        """Each seat's status as this client knows it: snapshot plus kept changes."""
        states = {s["id"]: s["status"] for s in self.snapshot["seats"]}
        for change in sorted(self.changes, key=lambda c: c["version"]):
            for seat in change["seats"]:
                states[seat["id"]] = seat["status"]
        return states

    async def close(self) -> None:
        self._reader.cancel()
        try:
            await asyncio.wait_for(self.ws.close(), 10)
        except Exception:
            pass

    def _keep_change(self, text: str, received_at: float) -> None:
        message = json.loads(text)
        if message.get("type") == "seats.changed":
            self.changes.append(message)
            self.changed.set()

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                received_at = time.monotonic()
                # Broadcasts never carry a request_id: no parsing to find out.
                if '"request_id"' not in text:
                    self._on_broadcast(text, received_at)
                    continue
                message = json.loads(text)
                future = self._waiting.get(message.get("request_id"))
                if future is not None and not future.done():
                    future.set_result(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = True
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(ConnectionError("socket closed"))


async def open_many(
    urls: Sequence[str],
    count: int,
    on_broadcast: OnBroadcast | None = None,
    *,
    on_open: OnOpen | None = None,
    concurrency: int = CONNECT_CONCURRENCY,
    attempts: int = 3,
    errors: Counter[str] | None = None,
) -> tuple[list[SeatMapClient], int]:
    """`count` clients spread round-robin over `urls`; returns (clients, failures)."""
    return await spread(
        lambda url: SeatMapClient.open(url, on_broadcast, on_open),
        urls,
        count,
        concurrency=concurrency,
        attempts=attempts,
        errors=errors,
    )


async def spread(
    open_one: Callable[[str], Awaitable[T]],
    urls: Sequence[str],
    count: int,
    *,
    concurrency: int = CONNECT_CONCURRENCY,
    attempts: int = 3,
    errors: Counter[str] | None = None,
) -> tuple[list[T], int]:
    """`count` sockets opened by `open_one`, round-robin over `urls`, at most
    `concurrency` at a time, each tried `attempts` times with a growing pause;
    returns (the sockets, how many failed). Each failure's last error, with
    its url, is counted in `errors` if given."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> T | None:
        url = urls[i % len(urls)]
        last = f"{url}: not tried"
        async with gate:
            for attempt in range(attempts):
                try:
                    return await open_one(url)
                except Exception as error:
                    last = f"{url}: {type(error).__name__}: {error}"[:300]
                    await asyncio.sleep(0.2 * (attempt + 1))
            if errors is not None:
                errors[last] += 1
            return None

    opened = await asyncio.gather(*(one(i) for i in range(count)))
    sockets = [s for s in opened if s is not None]
    return sockets, count - len(sockets)


async def close_many(clients: Sequence[SeatMapClient]) -> None:
    # Slices bound how many close handshakes are in flight at once.
    for start in range(0, len(clients), 500):
        await asyncio.gather(*(c.close() for c in clients[start : start + 500]))
