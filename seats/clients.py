"""Who is behind a client address, as a key that does not store the address.

IPv4 addresses count one by one; IPv6 by their /64, which one household or
phone usually gets whole. A keyed hash (SECRET_KEY), so what is kept (in
memory or in the database) is not the address itself; `purpose` keeps keys
made for one use from matching those of another.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings


def address_key(address: str | None, *, purpose: bytes = b"") -> str:
    """32 hex characters for `address`; "" when it is missing or no address."""
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
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, purpose + text.encode(), hashlib.sha256).hexdigest()[:32]
