"""What staff do with sales channels: open one with its code, keep seats,
and the page's reads. The seat changes themselves are the domain's
(seats.services.channels); this adds the codes and the selections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from presales.codes import check_new_code, code_digest, new_code
from presales.selection import Selection, seat_ids
from seats.errors import BadRequest
from seats.models import SalesChannel
from seats.services import channels as services


@dataclass(frozen=True, slots=True)
class Opened:
    channel: SalesChannel
    # The code in clear: shown to staff this once, stored only as a hash.
    code: str


def open_channel(
    *,
    event_id: int,
    name: str,
    code: str = "",
    releases_at: datetime | None = None,
    now: datetime,
) -> Opened:
    """A new channel; `code` empty: a random one."""
    code = code.strip() or new_code()
    problem = check_new_code(code)
    if problem:
        raise BadRequest(problem)
    channel = services.create_channel(
        event_id=event_id,
        name=name,
        code_digest=code_digest(code),
        releases_at=releases_at,
        now=now,
    )
    return Opened(channel=channel, code=code)


def keep(
    *,
    event_id: int,
    channel_id: int | None,
    selection: Selection,
    now: datetime,
) -> list[int]:
    """Keep the selected seats for the channel (None: back to general sale);
    the ids whose channel changed."""
    return services.keep_seats(
        event_id=event_id,
        channel_id=channel_id,
        seat_ids=seat_ids(event_id, selection),
        now=now,
    )


def remove_channel(*, channel_id: int, now: datetime) -> int:
    """Remove the channel; its seats go back to general sale (how many)."""
    return services.delete_channel(channel_id=channel_id, now=now)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    channel: SalesChannel
    kept: int
    active: bool


def channel_rows(event_id: int, now: datetime) -> list[ChannelRow]:
    """The event's channels with how many seats each keeps."""
    channels = (
        SalesChannel.objects.filter(event_id=event_id)
        .annotate(kept=Count("seats"))
        .order_by("id")
    )
    return [ChannelRow(c, c.kept, c.is_active(now)) for c in channels]  # type: ignore[attr-defined]
