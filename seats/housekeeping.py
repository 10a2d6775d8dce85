"""Clean-ups the sweeper runs now and then, for apps it may not import.

The sweeper (workers) stands below the apps that keep records of their own
(presales' code attempts, the API's idempotency keys), so it cannot call
them. Each app registers its clean-up here from its AppConfig.ready(), in
every process, and the sweeper's clean-up job runs them all. A clean-up
deletes what its app no longer needs and says how many rows went; one that
fails is logged and the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger(__name__)

CleanUp = Callable[[datetime], int]

_clean_ups: dict[str, CleanUp] = {}


def register(name: str, clean_up: CleanUp) -> None:
    """Run `clean_up(now)` in every pass; a name registered again is replaced."""
    _clean_ups[name] = clean_up


def run_all(now: datetime) -> dict[str, int]:
    """Every registered clean-up, once: rows deleted by name (failed ones left out)."""
    deleted: dict[str, int] = {}
    for name, clean_up in list(_clean_ups.items()):
        try:
            deleted[name] = clean_up(now)
        except Exception:
            logger.exception("clean-up of %s failed; trying again next pass", name)
    return deleted
