"""The practical floor for a Python broadcast: plain `websockets`, no framework.

A client's `hold`, `release` or `book` turns into one `seats.changed`-shaped
frame, serialised once and written to every connected socket with
`websockets.broadcast`. No database, no ASGI, no per-socket task; every
request is granted. With `--redis URL` the change makes one trip through a
Redis pub/sub channel first (the version taken and the change published in
one script, so versions are published in order), and every floor process on
that channel broadcasts it: the floor for a Redis-backed layer, and for
several workers.

`--database URL --event ID` (with `--redis`) makes each hold or release
one call to our click functions on that event, as our workers do
(bench/baselines/floor_clicks.py): the change is published with the
database's version, and a seat another holds is refused. The floor of the
contention scenario.

`--window SECONDS` coalesces as our workers do: the changes that come within
a window go out as one frame (`version` the last, `from_version` the first).
`--times FILE` writes, at exit, when (wall clock) each version this process
made was made: the floor's "commit" time, for the broadcast lag.

    python -m bench.baselines.floor_server --port 8765 [--redis redis://...]
        [--window 0.05] [--times times.json]
        [--database postgres://... --event ID]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from websockets.asyncio.server import broadcast, serve

from bench.baselines.floor_clicks import DatabaseClicks, Refused
from devtools.processes import raise_open_files_limit

CHANNEL = "bench.floor"
VERSION_KEY = "bench.floor.version"
# INCR and PUBLISH as one step: two processes never publish out of order.
PUBLISH_NEXT = (
    "local v = redis.call('INCR', KEYS[1]) "
    "redis.call('PUBLISH', ARGV[1], v .. '|' .. ARGV[2]) return v"
)
STATUS = {"hold": "held", "release": "available", "book": "booked"}
REASON = {"hold": "held", "release": "released", "book": "booked"}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Floor:
    def __init__(
        self,
        redis_url: str | None,
        window: float,
        clicks: DatabaseClicks | None = None,
    ):
        self.sockets = set()
        # Sockets between the version read and their snapshot: what was
        # broadcast meanwhile, (last version, frame), sent after it.
        self.joining: dict = {}
        self.version = 0
        self.redis_url = redis_url
        self.redis = None
        self.window = window
        # Coalescing: (version, reason, seats JSON) waiting for the window.
        self.pending: list[tuple[int, str, str]] = []
        self.flush_at: asyncio.TimerHandle | None = None
        self.times: dict[int, float] = {}
        self.clicks = clicks

    async def handler(self, ws) -> None:
        you = f"c_{secrets.token_urlsafe(9)}"
        queued = self.joining[ws] = []
        try:
            version = self.version
            if self.clicks is not None:
                version = await self.clicks.version()
            elif self.redis is not None:
                version = int(await self.redis.get(VERSION_KEY) or 0)
            await ws.send(
                json.dumps(
                    {
                        "type": "snapshot",
                        "event": 1,
                        "version": version,
                        "you": you,
                        "seats": [],
                    },
                    separators=(",", ":"),
                )
            )
            # The snapshot first, as our server does, then what it missed.
            while queued:
                last, frame = queued.pop(0)
                if last > version:
                    await ws.send(frame)
            del self.joining[ws]
            self.sockets.add(ws)
            async for text in ws:
                await self.on_request(ws, you, json.loads(text))
        finally:
            self.joining.pop(ws, None)
            self.sockets.discard(ws)

    async def on_request(self, ws, you: str, request: dict) -> None:
        kind = request.get("type")
        if kind not in STATUS:
            await ws.send(json.dumps({"type": "pong", **_echo(request)}))
            return
        held = kind == "hold"
        until = _iso(datetime.now(UTC) + timedelta(minutes=5)) if held else None
        seats = json.dumps(
            [
                {
                    "id": seat_id,
                    "status": STATUS[kind],
                    "holder": you if held else None,
                    "held_until": until,
                }
                for seat_id in request.get("seat_ids", [])
            ],
            separators=(",", ":"),
        )
        if self.clicks is not None:
            try:
                version = await self.clicks.click(
                    kind, you, request.get("seat_ids", [])
                )
            except Refused as refused:
                error = {"type": "error", "code": refused.code}
                await ws.send(json.dumps({**error, **_echo(request)}))
                return
            self.times[version] = time.time()
            # Answered first, published after: the click waits for nothing
            # more than its statement.
            await self.reply(ws, kind, request)
            await self.redis.publish(CHANNEL, f"{version}|{REASON[kind]}|{seats}")
            return
        if self.redis is None:
            self.version += 1
            version = self.version
            self.times[version] = time.time()
            self.change(version, REASON[kind], seats)
        else:
            made = time.time()
            version = await self.redis.eval(
                PUBLISH_NEXT, 1, VERSION_KEY, CHANNEL, f"{REASON[kind]}|{seats}"
            )
            self.times[int(version)] = made
        await self.reply(ws, kind, request)

    async def reply(self, ws, kind: str, request: dict) -> None:
        reply = {"type": f"{kind}.ok", "seat_ids": request.get("seat_ids", [])}
        await ws.send(json.dumps({**reply, **_echo(request)}))

    def change(self, version: int, reason: str, seats: str) -> None:
        """A change to send: at once, or with the others of its window."""
        if self.window <= 0:
            self.send_all(version, _frame(version, version, reason, seats[1:-1]))
            return
        self.pending.append((version, reason, seats))
        if self.flush_at is None:
            self.flush_at = asyncio.get_running_loop().call_later(
                self.window, self.flush
            )

    def flush(self) -> None:
        self.flush_at = None
        pending, self.pending = sorted(self.pending), []
        if not pending:
            return
        seats = ",".join(s[1:-1] for _, _, s in pending if s != "[]")
        reason = pending[-1][1] if len(pending) == 1 else "mixed"
        self.send_all(
            pending[-1][0], _frame(pending[0][0], pending[-1][0], reason, seats)
        )

    def send_all(self, last: int, frame: str) -> None:
        """`frame` (changes up to version `last`) to every socket; kept for
        those still waiting for their snapshot."""
        broadcast(self.sockets, frame)
        for queued in self.joining.values():
            queued.append((last, frame))

    async def relay(self) -> None:
        """Redis mode: every published change goes to every local socket."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(CHANNEL)
        async for message in pubsub.listen():
            if message["type"] == "message":
                version, reason, seats = message["data"].decode().split("|", 2)
                self.change(int(version), reason, seats)


def _frame(first: int, last: int, reason: str, seats: str) -> str:
    """A `seats.changed` text: `version` before the seats, `from_version` after."""
    tail = f',"from_version":{first}' if first != last else ""
    return (
        f'{{"type":"seats.changed","event":1,"version":{last},'
        f'"reason":"{reason}","seats":[{seats}]{tail}}}'
    )


def _echo(request: dict) -> dict:
    rid = request.get("request_id")
    return {} if rid is None else {"request_id": rid}


async def main(
    port: int,
    redis_url: str | None,
    window: float,
    times: Path | None,
    clicks: DatabaseClicks | None,
) -> None:
    floor = Floor(redis_url, window, clicks)
    if clicks is not None:
        await clicks.start()
    relay = None
    if redis_url:
        import redis.asyncio as aioredis

        floor.redis = aioredis.Redis.from_url(redis_url)
        relay = asyncio.create_task(floor.relay())
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.cancel)
    async with serve(
        floor.handler, "127.0.0.1", port, compression=None, max_queue=None
    ):
        try:
            await stop
        except asyncio.CancelledError:
            pass
    if relay is not None:
        relay.cancel()
    if clicks is not None:
        await clicks.stop()
    if times is not None:
        times.write_text(json.dumps(floor.times))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--window", type=float, default=0.0)
    parser.add_argument("--times", type=Path, default=None)
    parser.add_argument("--database", default=None)
    parser.add_argument("--event", type=int, default=None)
    options = parser.parse_args()
    if options.database and not (options.redis and options.event):
        parser.error("--database needs --redis and --event")
    raise_open_files_limit()
    clicks = (
        DatabaseClicks(options.database, options.event) if options.database else None
    )
    asyncio.run(
        main(options.port, options.redis, options.window, options.times, clicks)
    )
