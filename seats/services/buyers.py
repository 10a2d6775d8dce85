"""The buyer's name and email on a booking, as the event wants them
(`Event.buyer_details`): not asked, optional, or required.

Checked under the seats' lock, before anything is written, so a refusal
changes nothing. A given email must look like one whatever the event says;
a missing name or email is refused only where the event requires both.
"""

from __future__ import annotations

import re

from seats.errors import BadRequest
from seats.models import BuyerDetails

MAX_NAME = 200
MAX_EMAIL = 254

# What the REST API has always taken as an email (docs/openapi.json): one @,
# no spaces or NULs. Deliberately loose: a shop books after payment, and an
# address its own checkout took (`ada@intranet`, `josé@example.com`) must not
# be refused then.
_EMAIL = re.compile(r"[^@\s\x00]+@[^@\s\x00]+")


def checked_buyer(*, name: str, email: str, wanted: str) -> tuple[str, str]:
    """The buyer's name and email, trimmed; BadRequest if the event
    (`wanted`: a BuyerDetails value) needs them and they are missing, or if
    either is malformed."""
    name, email = (name or "").strip(), (email or "").strip()
    if len(name) > MAX_NAME:
        raise BadRequest(f"Keep the buyer's name to {MAX_NAME} characters.")
    if "\x00" in name:
        raise BadRequest("The buyer's name cannot contain a NUL character.")
    if len(email) > MAX_EMAIL:
        raise BadRequest(f"Keep the buyer's email to {MAX_EMAIL} characters.")
    if email and not _EMAIL.fullmatch(email):
        raise BadRequest(f"{email!r} is not an email address.")
    if wanted == BuyerDetails.REQUIRED:
        missing = [
            what for what, value in (("name", name), ("email", email)) if not value
        ]
        if missing:
            raise BadRequest(
                "This event needs the buyer's " + " and ".join(missing) + "."
            )
    return name, email
