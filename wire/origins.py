"""Web origins (`scheme://host[:port]`) as browsers send them in `Origin`.

Shared by the socket's origin check (realtime.origin) and the publishable
keys of embedded seat maps (embed), which list the origins they admit.
Ports are made explicit, so http://a and http://a:80 are the same origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http.request import split_domain_port

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    """A web origin with its port made explicit (http://a and http://a:80 are equal)."""

    scheme: str
    host: str  # lower-case, no trailing dot, IPv6 in brackets (as in Host)
    port: int

    def __str__(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{self.host}" + ("" if default else f":{self.port}")


def parse_origin(text: str) -> Origin | None:
    """`scheme://host[:port]` with an http(s) scheme, or None (`null`, paths, ...)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.path or parts.query or parts.fragment or text.endswith(("?", "#")):
        return None
    return authority_origin(parts.scheme.lower(), parts.netloc)


def authority_origin(scheme: str, authority: str) -> Origin | None:
    """The origin of `scheme` and a `host[:port]` authority, or None if malformed."""
    if scheme not in DEFAULT_PORTS:
        return None
    # Django's own Host parsing: lower-cases, drops a trailing dot, and
    # refuses user info, empty ports and anything else a Host may not hold.
    host, port = split_domain_port(authority)
    if not host:
        return None
    number = int(port) if port else DEFAULT_PORTS[scheme]
    if not 0 < number < 65536:
        return None
    return Origin(scheme, host, number)
