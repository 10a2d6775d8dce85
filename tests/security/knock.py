"""Open sockets one after another, each with a forged X-Forwarded-For.

Run inside the test's client host: `python -m tests.security.knock URL N`.
Prints one JSON list: for each socket its first frame's type, or the close
code it got instead.
"""

from __future__ import annotations

import asyncio
import json
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from devtools.wsclient import origin_of


def forged(i: int) -> str:
    """Every other one claims loopback (exempt from the limits)."""
    return "127.0.0.1" if i % 2 else f"203.0.113.{i % 250 + 1}, 127.0.0.1"


async def knock(url: str, count: int) -> list[str | int]:
    outcomes: list[str | int] = []
    for i in range(count):
        try:
            async with connect(
                url,
                origin=origin_of(url),
                additional_headers={"X-Forwarded-For": forged(i)},
                open_timeout=10,
                proxy=None,
            ) as socket:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                outcomes.append(frame["type"])
        except ConnectionClosed as closed:
            outcomes.append(closed.rcvd.code if closed.rcvd else "no close frame")
    return outcomes


if __name__ == "__main__":
    print(json.dumps(asyncio.run(knock(sys.argv[1], int(sys.argv[2])))))
