"""`/ws/embed/v1/events/<id>/`: the live seat map inside a shop's own page.

The page is another origin, so this route skips the generic origin check
(realtime.origin) and makes its own, per publishable key (embed.access):
the key must be known, the page's `Origin` on the key's list, the event
one the key is issued for. The visitor is the session the start endpoint
made for the key (embed.visitors), named by `?visitor=`; cookies are
never read. Everything else is the ordinary seat map, with two changes:
`book` is refused (the shop books after payment) and `handoff` gives the
visitor's running hold token to the page, for the shop's checkout.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from embed import access, visitors
from realtime.consumers import SeatMapConsumer
from realtime.db import db_call, db_function
from seats import selectors
from seats.errors import EmbedCannotBook, NoHold
from wire import frames, shapes
from wire.requests import EMBED_REQUEST_TYPES, Request

# Close codes of a refused embed socket (docs/protocol.md, "Embedded seat maps").
CLOSE_OF = {
    access.KEY_INVALID: 4401,
    access.ORIGIN_NOT_ALLOWED: 4403,
    access.EVENT_NOT_FOUND: 4404,
}
# The visitor token names no visitor of this key (any more): start again.
CLOSE_VISITOR_UNKNOWN = 4440


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name) or []
    return values[0] if len(values) == 1 else None


def _origin(scope: dict) -> str | None:
    sent = [v.decode("latin1") for k, v in scope.get("headers", ()) if k == b"origin"]
    return sent[0] if len(sent) == 1 else None


@db_call
def _visitor(
    key_text: str | None, origin: str | None, event_id: int, token: str | None
) -> SessionBase | None:
    """The visitor's session, or None if `token` is no visitor of the key;
    EmbedRefused if the key, the origin or the event says no."""
    key = access.resolve(key_text, origin, event_id)
    return visitors.existing_visitor(key, token)


def _handed_over(
    *, event_id: int, holder: str, now: datetime
) -> tuple[str, selectors.OwnHold] | None:
    """The running hold's token (as the checkout redirect finds it) and seats."""
    token = selectors.handed_over_token(event_id=event_id, holder=holder, now=now)
    hold = selectors.own_hold(event_id=event_id, holder=holder, now=now)
    if token is None or hold is None:
        return None
    return token, hold


class EmbedSeatMapConsumer(SeatMapConsumer):
    """The seat map for a publishable key's visitor (module doc)."""

    request_types = EMBED_REQUEST_TYPES

    def wants_live(self, query: dict[str, list[str]]) -> bool:
        # The widget draws from the linked layout, always.
        return True

    async def connect(self) -> None:
        event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            session = await _visitor(
                _one(query, "key"),
                _origin(self.scope),
                event_id,
                _one(query, "visitor"),
            )
        except access.EmbedRefused as refused:
            await self._refuse(CLOSE_OF[refused.code])
            return
        if session is None:
            await self._refuse(CLOSE_VISITOR_UNKNOWN)
            return
        # The arrival path reads the holder (and the waiting room's staff
        # check) from here, as for a browser's session.
        self.scope["session"] = session
        await super().connect()

    async def _refuse(self, code: int) -> None:
        # Accepted only to say why: a close code the widget can act on.
        await self.accept()
        await self.close(code=code)

    async def _on_book(self, request: Request) -> shapes.BookOkFrame:
        raise EmbedCannotBook()

    async def _on_handoff(self, request: Request) -> shapes.HandoffFrame:
        found = await db_function(_handed_over)(
            event_id=self.event_id, holder=self.holder, now=timezone.now()
        )
        if found is None:
            raise NoHold()
        token, hold = found
        return frames.handoff(token, hold, request.request_id)
