"""One attempt to deliver a webhook: a POST to the checked address, over in
its timeout, and what came of it (an `Outcome`).

The delivery worker (webhooks.delivery) decides when and what to send;
this module only sends. Only the endpoint's URL is contacted, at an address
webhooks.destinations allows, and redirects are never followed.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPSConnection

from seats.outbox.models import WebhookDelivery
from webhooks import destinations
from webhooks.destinations import Destination

ERROR_LENGTH = WebhookDelivery._meta.get_field("last_error").max_length or 300


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt got: a status code, or none and why."""

    status_code: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def label(self) -> str:
        """The `outcome` label of seats_webhook_attempts_total."""
        if self.delivered:
            return "delivered"
        return "failed" if self.status_code is not None else "error"


class _PinnedHTTP(HTTPConnection):
    """HTTP to the address that was checked, with the URL's host as Host."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(HTTPSConnection):
    """TLS to the address that was checked, verified against the URL's host."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Outcome:
    """One POST of `body` to `url`, over in `timeout` seconds at most.

    Only to where webhooks may go (webhooks.destinations: https, public
    addresses, unless the operator allows more), and to the very address
    that was checked. http.client follows no redirects by itself, and none
    are followed here. Name resolution counts against the timeout; the
    socket times out connects and reads, and a watchdog cuts the connection
    when the attempt as a whole runs out of time, so a receiver trickling
    its answer byte by byte cannot outlast the lease. Only the status is
    read; the answer's body is ignored.
    """
    started = time.monotonic()
    try:
        destination = destinations.vet(url, timeout)
    except destinations.Refused as refused:
        return Outcome(None, str(refused)[:ERROR_LENGTH])
    left = timeout - (time.monotonic() - started)
    if left <= 0:
        return Outcome(None, f"no answer within {timeout:g}s")
    conn: HTTPConnection
    if destination.scheme == "https":
        conn = _PinnedHTTPS(destination, left)
    else:
        conn = _PinnedHTTP(destination, left)
    path = destination.path
    cut = threading.Event()

    def cut_off() -> None:
        cut.set()
        if conn.sock is not None:
            with suppress(OSError):
                # The plain socket's shutdown, also for TLS: it wakes the
                # blocked read without tearing down TLS state under it.
                socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)

    watchdog = threading.Timer(left, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.connect()
        if cut.is_set():  # timed out just as it connected: no socket was cut
            raise TimeoutError
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        status, reason = response.status, response.reason
    except Exception as error:
        if cut.is_set() or isinstance(error, TimeoutError):
            return Outcome(None, f"no answer within {timeout:g}s")
        return Outcome(None, describe(error))
    finally:
        watchdog.cancel()
        conn.close()
    if 200 <= status < 300:
        return Outcome(status)
    if 300 <= status < 400:
        return Outcome(status, f"HTTP {status}: redirects are not followed")
    return Outcome(status, f"HTTP {status} {reason}".strip())


def describe(error: BaseException) -> str:
    """A short, one-line reason for a failed attempt (never headers or body)."""
    text = " ".join(str(error).split()) or "no detail"
    return f"{type(error).__name__}: {text}"[:ERROR_LENGTH]
