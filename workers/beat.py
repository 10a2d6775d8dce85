"""A serving process's beat: its row says it is alive (seats.services.orphans).

A thread of `serve`, started with the other in-process workers. A failed
beat (the database away) is logged and tried again at the next one: a
process that stays silent past SEAT_PROCESS_DEAD_SECONDS has its sockets'
holds freed by the sweeper, which is what should happen when nobody can
tell it is alive.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from seats import services

logger = logging.getLogger(__name__)


class Beat:
    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="beat", daemon=True)

    def start(self) -> Beat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            try:
                services.beat()
            except Exception:
                logger.warning("process beat failed; trying again", exc_info=True)
            finally:
                close_old_connections()
            if self._stopping.wait(settings.SEAT_PROCESS_BEAT_SECONDS):
                return
