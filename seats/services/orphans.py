"""Holds whose connection died with its process.

A socket without a session holds as its connection; when the socket
closes, the consumer releases those holds. A process that dies without
closing its sockets never does, so every serving process beats
(`beat`, a row per process) and the sweeper frees the connection holds
of processes whose beat stopped (`release_orphans`), announced like any
release, long before the holds would expire.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from seats.holders import PROCESS_KEY, connection_holders_of
from seats.models import Seat, ServingProcess
from seats.services.releases import release_all

logger = logging.getLogger(__name__)


def beat(now: datetime | None = None) -> None:
    """This process is alive at `now`."""
    now = now or timezone.now()
    updated = ServingProcess.objects.filter(key=PROCESS_KEY).update(beat_at=now)
    if not updated:
        ServingProcess.objects.get_or_create(
            key=PROCESS_KEY, defaults={"started_at": now, "beat_at": now}
        )


def release_orphans(now: datetime | None = None) -> list[int]:
    """Free the connection holds of every process silent for
    SEAT_PROCESS_DEAD_SECONDS, then forget the process; the seats freed."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.SEAT_PROCESS_DEAD_SECONDS)
    freed: list[int] = []
    for key in ServingProcess.objects.filter(beat_at__lt=silent_since).values_list(
        "key", flat=True
    ):
        holders = (
            Seat.objects.filter(holder__startswith=connection_holders_of(key))
            .held_at(now)
            .values_list("event_id", "holder")
            .distinct()
        )
        mine: list[int] = []
        for event_id, holder in list(holders):
            mine += release_all(event_id=event_id, holder=holder, now=now)
        ServingProcess.objects.filter(key=key, beat_at__lt=silent_since).delete()
        if mine:
            logger.info(
                "process %s stopped beating: freed %d seat(s) of its connections",
                key,
                len(mine),
            )
        freed += mine
    return freed
