"""Where webhooks may go: public https addresses, unless the operator says more.

A webhook URL is typed by staff, and the delivery worker runs inside the
operator's network: without a check, an endpoint pointing at loopback,
a private range or the cloud's metadata address (169.254.169.254) would
make the worker send signed requests there. So:

* https only, unless SEAT_WEBHOOK_ALLOW_HTTP (development: the demo shop).
* Every address the host name resolves to must be public (Python's
  `is_global`, and not multicast), unless the host name or the address is
  listed in SEAT_WEBHOOK_ALLOWED_HOSTS (names, addresses or networks).
* The check runs when an endpoint is saved (literal addresses and names
  like `localhost`) and again before every attempt on the freshly resolved
  addresses; the attempt then connects to the address that was checked, so
  a name that resolves elsewhere a moment later (DNS rebinding) gains
  nothing. Resolution is bounded by the attempt's timeout.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that always mean this machine, whatever DNS says.
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


class Refused(ValueError):
    """The URL may not be sent to; the message says why and what allows it."""


@dataclass(frozen=True, slots=True)
class Destination:
    scheme: str
    host: str  # the URL's host: Host header and TLS server name
    port: int
    address: str  # the checked address to connect to
    path: str


def _allowed() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks = []
    for entry in settings.SEAT_WEBHOOK_ALLOWED_HOSTS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _internal(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return not address.is_global or address.is_multicast


def _split(url: str) -> tuple[SplitResult, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused("only http:// and https:// URLs are sent to")
    if scheme == "http" and not settings.SEAT_WEBHOOK_ALLOW_HTTP:
        raise Refused(
            "only https:// URLs are sent to (SEAT_WEBHOOK_ALLOW_HTTP allows"
            " http:// for development)"
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("the URL's port is not a number") from None
    return parts, scheme, port


def _refuse_internal(host: str, address: Address | None) -> None:
    names, networks = _allowed()
    if host in names:
        return
    if address is None:
        if host in LOCAL_NAMES or host.endswith(".localhost"):
            raise Refused(
                f"{host} is this machine: list it in SEAT_WEBHOOK_ALLOWED_HOSTS"
                " to send there"
            )
        return
    if _internal(address) and not any(address in net for net in networks):
        raise Refused(
            f"{address} is a private, loopback, link-local or reserved address:"
            " list it in SEAT_WEBHOOK_ALLOWED_HOSTS to send there"
        )


def check_url(url: str) -> None:
    """Refused unless `url` may be saved as an endpoint (no name resolution)."""
    parts, _, _ = _split(url)
    host = (parts.hostname or "").lower().rstrip(".")
    _refuse_internal(host, _literal(host))


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, port: int, timeout: float) -> Sequence[str]:
    """The addresses of `host`, or Refused when it takes longer than `timeout`.

    getaddrinfo cannot be interrupted, so it runs on a daemon thread that
    is left behind if it hangs.
    """
    found: list[str] = []
    failed: list[BaseException] = []

    def look_up() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(str(info[4][0]) for info in infos)
        except Exception as error:
            failed.append(error)

    thread = threading.Thread(target=look_up, daemon=True, name="webhook-dns")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise Refused(f"resolving {host} took longer than {timeout:g}s")
    if failed or not found:
        detail = " ".join(str(failed[0]).split()) if failed else "no address"
        raise Refused(f"cannot resolve {host}: {detail}")
    return list(dict.fromkeys(found))


def vet(url: str, timeout: float) -> Destination:
    """Where an attempt for `url` connects, every resolved address checked."""
    parts, scheme, port = _split(url)
    host = (parts.hostname or "").lower().rstrip(".")
    literal = _literal(host)
    _refuse_internal(host, literal)
    addresses = [str(literal)] if literal else resolve(host, port, timeout)
    for address in addresses:
        _refuse_internal(host, ipaddress.ip_address(address.split("%", 1)[0]))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme, parts.hostname or host, port, addresses[0], path)
