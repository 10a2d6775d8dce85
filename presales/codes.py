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
import secrets

from django.conf import settings

from seats.clients import address_key

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
    trusted proxies), as a keyed hash of its own kind (seats.clients)."""
    return address_key(address, purpose=b"presales.client:")
