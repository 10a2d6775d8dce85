"""Request bodies are bounded where they arrive, not after they are stored.

A declared length past SEAT_HTTP_MAX_BODY_BYTES is answered 413 before any
of the body is sent; a chunked body is cut when it passes the bound. Both
against a real server, on the wire."""

from __future__ import annotations

import asyncio
import json

import pytest

from devtools.processes import live_server

BOUND = 100_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(
        tmp_path_factory.mktemp("bound"), SEAT_HTTP_MAX_BODY_BYTES=str(BOUND)
    ) as server:
        yield server


async def answer(reader) -> tuple[int, dict, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(
        (name.lower(), value.strip())
        for name, value in (line.split(":", 1) for line in lines[1:] if ":" in line)
    )
    body = await asyncio.wait_for(
        reader.readexactly(int(headers.get("content-length", 0))), 10
    )
    return status, headers, body


async def test_a_declared_length_over_the_bound_is_refused_before_the_body(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.worker.port)
    writer.write(
        b"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n"
        + f"Content-Length: {50 * BOUND}\r\n\r\n".encode()
    )
    await writer.drain()
    status, headers, body = await answer(reader)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["code"] == "payload_too_large"
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed
    writer.close()


async def test_a_chunked_body_is_cut_when_it_passes_the_bound(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.worker.port)
    writer.write(
        b"POST /api/staff/events/1/block HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 10_000
    refused = None
    for _ in range(30):
        try:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
        except ConnectionError:
            break
        try:
            refused = await asyncio.wait_for(answer(reader), 0.2)
            break
        except (TimeoutError, asyncio.IncompleteReadError):
            continue
    writer.close()
    assert refused is not None and refused[0] == 413, refused


async def test_a_body_within_the_bound_reaches_the_application(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.worker.port)
    body = json.dumps({"seat_ids": [1] * 1000}).encode()
    writer.write(
        b"POST /api/v1/events/1/holds HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    status, headers, document = await answer(reader)
    # The API's own answer (no key: 401), not the transport's 413.
    assert status == 401, document
    writer.close()
