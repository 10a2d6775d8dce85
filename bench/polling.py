"""The polling baseline's clients: keep-alive HTTP GETs on a schedule.

The idle scenario's "polling" row (bench/scenarios/idle.py) runs these in a
generator process (bench/clients.py, `poll`), beside nothing else.
"""

from __future__ import annotations

import asyncio
import random
import time


async def poll(
    port: int,
    path: str,
    count: int,
    interval: float,
    seconds: float,
    start_at: float,
) -> dict:
    """`count` keep-alive HTTP clients, each GETting `path` every `interval`."""
    result = {"responses": 0, "failures": 0, "bytes": 0, "rtt": []}
    deadline = start_at + seconds
    rng = random.Random(count)

    async def one() -> None:
        reader = writer = None
        next_at = start_at + rng.uniform(0, interval)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        while True:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() >= deadline:
                break
            sent = time.monotonic()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                # An answer still missing at the end of the window is not
                # counted: the window is what the server is measured over.
                size = await asyncio.wait_for(
                    _read_http_response(reader),
                    max(0.001, deadline - time.monotonic()),
                )
                result["responses"] += 1
                result["bytes"] += size
                result["rtt"].append(time.monotonic() - sent)
            except TimeoutError:
                break
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result["failures"] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
            next_at += interval
        if writer is not None:
            writer.close()

    await asyncio.gather(*(one() for _ in range(count)))
    return result


async def _read_http_response(reader: asyncio.StreamReader) -> int:
    """One HTTP/1.1 response off a keep-alive connection; returns the body size."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b" ", 2)[1]
    if status != b"200":
        raise ValueError(f"HTTP {status!r}")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        return len(await reader.readexactly(int(headers[b"content-length"])))
    size = 0
    while True:  # chunked
        chunk = int((await reader.readuntil(b"\r\n")).strip(), 16)
        await reader.readexactly(chunk + 2)
        size += chunk
        if chunk == 0:
            return size
