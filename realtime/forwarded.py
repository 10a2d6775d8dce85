"""The client's own address behind reverse proxies we trust, and no others.

A proxy appends the address it received a request from to
`X-Forwarded-For`; whatever stands to the left of that came from the client
and may be forged. So the client is the right-most hop that is not one of
our proxies: walking from the connection's peer leftwards, every hop we
trust is skipped and the first one we do not is the client. A forged
`X-Forwarded-For: 127.0.0.1` therefore stays where the client put it, left
of the address our proxy saw. Headers from a peer we do not trust are
ignored altogether, and nothing is trusted unless configured
(`SEAT_TRUSTED_PROXIES`, or loopback with `serve --proxy-headers`).

`X-Forwarded-Proto` from a trusted peer sets the scope's scheme, so Django
and the WebSocket origin check see how the client reached the proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOPBACK = ("127.0.0.0/8", "::1/128")

SCHEMES = {
    "http": {"http": "http", "https": "https"},
    "websocket": {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"},
}


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks (`10.0.0.0/8`, `192.0.2.7`); ValueError names a bad one."""
    parsed = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            parsed.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"not an address or network: {value!r}") from None
    return tuple(parsed)


def parse_hop(hop: str) -> Address | None:
    """One `X-Forwarded-For` entry: `192.0.2.1`, `192.0.2.1:80`, `[2001:db8::1]:80`."""
    hop = hop.strip()
    if hop.startswith("["):
        hop = hop[1 : hop.find("]")] if "]" in hop else ""
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(hop)
    except ValueError:
        return None
    # An IPv4 client of a dual-stack proxy arrives as ::ffff:a.b.c.d.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class TrustedProxies:
    def __init__(self, trusted: Iterable[Network]) -> None:
        self.trusted = tuple(trusted)

    def trusts(self, address: Address | None) -> bool:
        return address is not None and any(address in net for net in self.trusted)

    def client(self, peer: str, forwarded_for: Iterable[str]) -> str:
        """The right-most hop we do not trust; `peer` if we do not trust it."""
        nearest = parse_hop(peer)
        if not self.trusts(nearest):
            return peer
        hops = [hop for value in forwarded_for for hop in value.split(",")]
        for hop in reversed(hops):
            address = parse_hop(hop)
            if address is None:
                # Unreadable: nothing left of it can be believed either.
                break
            nearest = address
            if not self.trusts(address):
                break
        return str(nearest)


class ForwardedClient:
    """ASGI middleware: the scope's `client` and `scheme` as the proxies saw them."""

    def __init__(self, app: Any, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        kind = scope.get("type")
        peer = scope.get("client")
        if kind in SCHEMES and peer and self.proxies.trusts(parse_hop(peer[0])):
            scope = dict(scope)
            forwarded = _values(scope, b"x-forwarded-for")
            scope["client"] = (self.proxies.client(peer[0], forwarded), 0)
            protos = _values(scope, b"x-forwarded-proto")
            if protos:
                # The proxy nearest to us speaks last.
                proto = protos[-1].split(",")[-1].strip().lower()
                scheme = SCHEMES[kind].get(proto)
                if scheme:
                    scope["scheme"] = scheme
        return await self.app(scope, receive, send)


def _values(scope: dict, name: bytes) -> list[str]:
    return [
        value.decode("latin1") for key, value in scope.get("headers", ()) if key == name
    ]
