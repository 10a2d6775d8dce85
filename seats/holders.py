"""Who is holding: an identity the server assigns, never one the client names.

A browser's holder id lives in its Django session, so every tab of that
browser is one holder. A socket without a session gets an id for that
connection only, which names the serving process (`PROCESS_KEY`), so the
holds of a process that died can be found (services.orphans). Holder ids
are public (they appear in every snapshot): authority comes from the
session or connection, not from knowing the id.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "seats_holder"
# Event id (a string: sessions are JSON) -> the ids of the sales channels
# the session unlocked there (presales.access).
CHANNELS_KEY = "seats_channels"


def new_holder_id(prefix: str = "h") -> str:
    return f"{prefix}_{secrets.token_urlsafe(9)}"


def holder_for_session(session: SessionBase) -> str:
    """The session's holder id, created (and the session saved) on first use."""
    holder = session.get(SESSION_KEY)
    if not holder:
        holder = new_holder_id("h")
        session[SESSION_KEY] = holder
        session.save()
    return holder


def session_holder(session: SessionBase | None) -> str | None:
    """The holder id of an existing session, or None: never creates one."""
    if session is None or session.session_key is None:
        return None
    return session.get(SESSION_KEY) or None


# This process, as connection holders name it: random per start, so a
# restarted process is a new one and its predecessor's holds are orphans.
PROCESS_KEY = secrets.token_hex(4)


def connection_holder() -> str:
    """A holder for one socket without a session, naming this process."""
    return new_holder_id(f"c_{PROCESS_KEY}")


def is_connection_holder(holder: str) -> bool:
    return holder.startswith("c_")


def connection_holders_of(process_key: str) -> str:
    """The prefix every connection holder of that process starts with."""
    return f"c_{process_key}_"


def session_channels(session: SessionBase | None, event_id: int) -> frozenset[int]:
    """The sales channels of the event this session unlocked (none for a
    socket without a session): authority, like the holder, from the server's
    side only."""
    if session is None or session.session_key is None:
        return frozenset()
    unlocked = session.get(CHANNELS_KEY) or {}
    return frozenset(int(i) for i in unlocked.get(str(event_id), ()))


def unlock_in_session(session: SessionBase, event_id: int, channel_id: int) -> None:
    """Remember in the session that it unlocked this channel of the event."""
    unlocked = dict(session.get(CHANNELS_KEY) or {})
    ids = set(unlocked.get(str(event_id), ()))
    ids.add(channel_id)
    unlocked[str(event_id)] = sorted(ids)
    session[CHANNELS_KEY] = unlocked
