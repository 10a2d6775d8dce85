"""The presale code form's JSON answer (POST /events/<id>/code; docs/presales.md).

An HTTP document, not a socket frame: its failures are the protocol's
`error` document (`frames.error`).
"""

from __future__ import annotations

from typing import Literal, TypedDict

from seats.selectors import ChannelView
from wire.frames import channel
from wire.shapes import ChannelFrame


class ChannelUnlockedDocument(TypedDict):
    """The sales channel a presale code unlocked for this session."""

    type: Literal["channel.unlocked"]
    channel: ChannelFrame


def channel_unlocked(view: ChannelView) -> ChannelUnlockedDocument:
    return {"type": "channel.unlocked", "channel": channel(view)}
