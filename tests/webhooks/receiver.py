"""A real webhook receiver on 127.0.0.1, and the checks every body must pass.

`Receiver` is a ThreadingHTTPServer on a free port in a thread of its own:
it records every request (path, headers, the exact body bytes) and answers
as the test scripts it (a status, a Location, a delay, a stall). `checked`
verifies a request's signature with the standardwebhooks package and
validates its body against docs/webhooks.schema.json.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from standardwebhooks.webhooks import Webhook

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "webhooks.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = Draft202012Validator(
    SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)
# No test waits longer than this for anything.
WAIT_SECONDS = 15.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Reply:
    """One scripted answer: its status after `delay` seconds; `stall` waits
    for `Receiver.release()` (at most WAIT_SECONDS) before answering."""

    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stall: bool = False


def checked(received: Received, secret: str) -> dict[str, Any]:
    """The body, once its signature verifies and it matches the schema."""
    payload = Webhook(secret).verify(received.body, received.headers)
    VALIDATOR.validate(payload)
    return payload


class Receiver:
    """Records every request; answers with the scripted replies, then `default`."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.default = Reply()
        self._script: list[Reply] = []
        self._changed = threading.Condition()
        self._released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            # How soon close() returns.
            kwargs={"poll_interval": 0.02},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def respond(self, *replies: Reply | int) -> None:
        """Answer the next requests with these, in order (ints are statuses)."""
        with self._changed:
            self._script.extend(Reply(r) if isinstance(r, int) else r for r in replies)

    def release(self) -> None:
        """Let stalled requests answer."""
        self._released.set()

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[Received]:
        """The first `count` requests, once that many have arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                assert left > 0, (
                    f"{len(self.requests)} of {count} request(s) within {timeout}s: "
                    f"{[r.json.get('type') for r in self.requests]}"
                )
                self._changed.wait(left)
            return list(self.requests[:count])

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def _record(self, received: Received) -> Reply:
        with self._changed:
            self.requests.append(received)
            self._changed.notify_all()
            return self._script.pop(0) if self._script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                reply = receiver._record(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                        at=time.monotonic(),
                    )
                )
                if reply.stall:
                    receiver._released.wait(WAIT_SECONDS)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting: nobody to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
