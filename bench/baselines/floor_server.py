"""The practical floor for a Python broadcast: plain `websockets`, no framework.

A client's `hold` or `release` turns into one `seats.changed`-shaped frame,
serialised once and written to every connected socket with
`websockets.broadcast`. No database, no ASGI, no per-socket task. With
`--redis URL` the frame makes one trip through a Redis pub/sub channel first
(publish, then the subscriber broadcasts), the floor for a Redis-backed layer.

    python -m bench.baselines.floor_server --port 8765 [--redis redis://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
from datetime import UTC, datetime, timedelta

from websockets.asyncio.server import broadcast, serve

from devtools.processes import raise_open_files_limit

CHANNEL = "bench.floor"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Floor:
    def __init__(self, redis_url: str | None):
        self.sockets = set()
        self.version = 0
        self.redis_url = redis_url
        self.redis = None

    async def handler(self, ws) -> None:
        you = f"c_{secrets.token_urlsafe(9)}"
        self.sockets.add(ws)
        try:
            await ws.send(
                json.dumps(
                    {
                        "type": "snapshot",
                        "event": 1,
                        "version": self.version,
                        "you": you,
                        "seats": [],
                    },
                    separators=(",", ":"),
                )
            )
            async for text in ws:
                await self.on_request(ws, you, json.loads(text))
        finally:
            self.sockets.discard(ws)

    async def on_request(self, ws, you: str, request: dict) -> None:
        kind = request.get("type")
        if kind not in ("hold", "release"):
            await ws.send(json.dumps({"type": "pong", **_echo(request)}))
            return
        self.version += 1
        held = kind == "hold"
        until = _iso(datetime.now(UTC) + timedelta(minutes=5)) if held else None
        frame = json.dumps(
            {
                "type": "seats.changed",
                "event": 1,
                "version": self.version,
                "reason": "held" if held else "released",
                "seats": [
                    {
                        "id": seat_id,
                        "status": "held" if held else "available",
                        "holder": you if held else None,
                        "held_until": until,
                    }
                    for seat_id in request.get("seat_ids", [])
                ],
            },
            separators=(",", ":"),
        )
        if self.redis is None:
            broadcast(self.sockets, frame)
        else:
            await self.redis.publish(CHANNEL, frame)
        reply = {"type": f"{kind}.ok", "seat_ids": request.get("seat_ids", [])}
        await ws.send(json.dumps({**reply, **_echo(request)}))

    async def relay(self) -> None:
        """Redis mode: every published frame goes to every local socket."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(CHANNEL)
        async for message in pubsub.listen():
            if message["type"] == "message":
                broadcast(self.sockets, message["data"].decode())


def _echo(request: dict) -> dict:
    rid = request.get("request_id")
    return {} if rid is None else {"request_id": rid}


async def main(port: int, redis_url: str | None) -> None:
    floor = Floor(redis_url)
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", default=None)
    options = parser.parse_args()
    raise_open_files_limit()
    asyncio.run(main(options.port, options.redis))
