"""The visitor of an embedded seat map: a session made for it, named by a token.

The shop's page is another origin, so our session cookie is neither sent
nor wanted there. Instead the start endpoint makes a session for the
widget's visitor and hands its key over as the `visitor` token; the
socket finds the session by that token. The session carries the holder
id as a browser's does (seats.holders), so holds, the waiting room and
snapshots work unchanged. A session counts as a visitor of a key only if
it was made for that key (`embed_key`): a browser's own session key, or
a visitor of another key, is never taken.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from embed.models import PublishableKey
from seats.holders import holder_for_session

EMBED_KEY = "embed_key"
VISITOR_SECONDS = 24 * 3600
# Session keys are 32 characters; anything much longer is not one.
MAX_TOKEN_CHARS = 64


def _store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def existing_visitor(key: PublishableKey, token: str | None) -> SessionBase | None:
    """The unexpired session `token` names, if it was made for `key`; else None."""
    if not token or len(token) > MAX_TOKEN_CHARS or "\x00" in token:
        return None
    session = _store()(session_key=token)
    # Reading loads it; a missing or expired session loads empty (and drops its key).
    if session.get(EMBED_KEY) != key.pk or session.session_key is None:
        return None
    return session


def visitor_session(key: PublishableKey, token: str | None) -> tuple[SessionBase, str]:
    """The visitor `token` names (if it is one of `key`'s), or a new one;
    with its token (the session key)."""
    session = existing_visitor(key, token)
    if session is None:
        session = _store()()
        session[EMBED_KEY] = key.pk
        session.set_expiry(VISITOR_SECONDS)
        holder_for_session(session)  # saves it, which gives it its key
    assert session.session_key is not None
    return session, session.session_key
