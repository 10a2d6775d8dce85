"""Unlocking a sales channel with its code, rate limited and logged.

Who may take a kept seat is decided by the hold services from the channel
ids they are given (seats.services.holds); this module decides which ids a
browser session gets: the ones whose code it entered while the channel was
active. Every attempt is a `ChannelAccess` row, and the failed ones count
against the session and the client's address (the database is shared by
every worker, so the limit is the cluster's, not each process's).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min, Q
from django.utils.translation import gettext_noop

from presales.codes import code_digest, matches
from presales.models import ChannelAccess
from seats.errors import RateLimited, RequestError
from seats.models import SalesChannel

# The refusals' texts stay English in JSON answers (a contract); they are
# marked for the catalogue so the map's form can show them translated.
Outcome = ChannelAccess.Outcome
FAILED = [Outcome.WRONG, Outcome.ENDED]


class WrongCode(RequestError):
    code = "wrong_code"
    default_message = gettext_noop("That code does not open anything for this event.")


class ChannelEnded(RequestError):
    code = "channel_ended"
    default_message = gettext_noop(
        "That presale has ended: its seats are on general sale, no code needed."
    )


def unlock(
    *, event_id: int, code: str, holder: str, client: str, now: datetime
) -> SalesChannel:
    """The active channel of the event that `code` opens, the attempt logged.

    RateLimited (nothing looked up) past the limits; WrongCode, or
    ChannelEnded for a channel whose `releases_at` has passed.

    The attempt is written first, as a failure, and the limits then count
    every other failure in the window: of attempts made at the same moment
    from other workers, each sees the others' rows, so together they never
    get more tries than the limit (at worst those that count each other are
    all refused).
    It is marked with its real outcome once that is known.
    """
    attempt = _log(event_id, None, Outcome.WRONG, holder, client, now)
    wait = _limited_for(holder, client, now, besides=attempt.pk)
    if wait is not None:
        _settle(attempt, None, Outcome.LIMITED)
        raise RateLimited(
            retry_after=wait,
            message=gettext_noop("Too many wrong codes; try again in a few minutes."),
        )
    digest = code_digest(code)
    channel = SalesChannel.objects.filter(event_id=event_id, code_digest=digest).first()
    if channel is None or not matches(code, channel.code_digest):
        raise WrongCode()  # logged as such already
    if not channel.is_active(now):
        _settle(attempt, channel, Outcome.ENDED)
        raise ChannelEnded()
    _settle(attempt, channel, Outcome.UNLOCKED)
    return channel


def _limited_for(
    holder: str, client: str, now: datetime, *, besides: int
) -> float | None:
    """Seconds until the session and the address may try again, or None;
    the failures counted are those in the window other than `besides`."""
    window = timedelta(seconds=settings.SEAT_CODE_WINDOW_SECONDS)
    since = now - window
    failed = ChannelAccess.objects.filter(outcome__in=FAILED, at__gt=since).exclude(
        pk=besides
    )
    waits = []
    for limit, who in (
        (settings.SEAT_CODE_ATTEMPTS_PER_SESSION, Q(holder=holder)),
        (settings.SEAT_CODE_ATTEMPTS_PER_CLIENT, Q(client=client) if client else None),
    ):
        if limit <= 0 or who is None:
            continue
        recent = failed.filter(who).order_by("-at").values_list("at", flat=True)
        times = list(recent[:limit])
        if len(times) >= limit:
            # Free again once the oldest of the last `limit` leaves the window.
            waits.append(max(0.0, (times[-1] + window - now).total_seconds()))
    return max(waits) if waits else None


def _log(
    event_id: int,
    channel: SalesChannel | None,
    outcome: str,
    holder: str,
    client: str,
    now: datetime,
) -> ChannelAccess:
    return ChannelAccess.objects.create(
        event_id=event_id,
        channel=channel,
        outcome=outcome,
        holder=holder,
        client=client,
        at=now,
    )


def _settle(attempt: ChannelAccess, channel: SalesChannel | None, outcome: str) -> None:
    ChannelAccess.objects.filter(pk=attempt.pk).update(channel=channel, outcome=outcome)


def recent_attempts(event_id: int, limit: int = 50) -> list[ChannelAccess]:
    """The event's latest attempts, newest first, with their channels."""
    return list(
        ChannelAccess.objects.filter(event_id=event_id)
        .select_related("channel")
        .order_by("-at", "-id")[:limit]
    )


def first_use(channel_ids: list[int]) -> dict[int, datetime]:
    """When each channel was first unlocked (channels never used are left out)."""
    rows = (
        ChannelAccess.objects.filter(
            channel_id__in=channel_ids, outcome=Outcome.UNLOCKED
        )
        .values("channel_id")
        .annotate(first=Min("at"))
    )
    return {row["channel_id"]: row["first"] for row in rows}


def forget_old(now: datetime) -> int:
    """Delete the attempts older than SEAT_CHANNEL_ACCESS_DAYS (the channels
    page's history; the rate limit looks back minutes only): who entered a
    code, and a hash of their address, are not kept for ever."""
    cutoff = now - timedelta(days=settings.SEAT_CHANNEL_ACCESS_DAYS)
    deleted, _ = ChannelAccess.objects.filter(at__lt=cutoff).delete()
    return deleted
