"""Access codes: normalised, kept only as a keyed hash, shown once.

A code is compared as people type it: surrounding spaces dropped, case
folded ("Members24 " is "MEMBERS24"). What is stored is HMAC-SHA256 under
the SECRET_KEY of that normal form, so the database alone does not give
codes away, and the same code always finds the same row (looked up by the
digest, then compared in constant time). Changing the SECRET_KEY makes
every stored code unusable: set the channels' codes again.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from django.conf import settings

# Letters and digits nobody confuses when reading a code aloud.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MIN_LENGTH = 6
MAX_LENGTH = 64


def normalise(code: str) -> str:
    return code.strip().casefold()


def code_digest(code: str) -> str:
    """The stored form of `code`: hex HMAC-SHA256 of its normal form."""
    key = settings.SECRET_KEY.encode()
    message = b"presales.code:" + normalise(code).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def matches(code: str, digest: str) -> bool:
    return hmac.compare_digest(code_digest(code), digest)


def new_code(length: int = 10) -> str:
    """A random code, as staff hand it out (about 50 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def check_new_code(code: str) -> str | None:
    """Why `code` cannot be a channel's code, or None if it can."""
    plain = normalise(code)
    if len(plain) < MIN_LENGTH:
        return f"A code has at least {MIN_LENGTH} characters."
    if len(plain) > MAX_LENGTH:
        return f"A code has at most {MAX_LENGTH} characters."
    return None


def client_key(address: str | None) -> str:
    """Who is behind `address` (REMOTE_ADDR, already the client's behind
    trusted proxies), as a keyed hash: IPv4 one by one, IPv6 by its /64."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        text = str(mapped)
    elif ip.version == 6:
        text = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    else:
        text = str(ip)
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"presales.client:" + text.encode(), "sha256").hexdigest()[:32]
