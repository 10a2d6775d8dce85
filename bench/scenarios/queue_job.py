"""Inside Django: a paused waiting room with many places, and sessions for some.

    python -m bench.scenarios.queue_job --event 1 --places 10000
        --sessions 1000 --rate 600

Run by the queue scenario in a stack's environment; prints one JSON line:
the room's id and one session cookie per watched place (which internals,
and why: bench/internals.py).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets

BATCH = 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--event", type=int, required=True)
    parser.add_argument("--places", type=int, required=True)
    parser.add_argument("--sessions", type=int, required=True)
    parser.add_argument("--rate", type=int, required=True)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from bench.internals import EARLY_RANKS, SESSION_KEY, Place, waiting

    now = timezone.now()
    # Paused from the start: the places wait until the scenario resumes it.
    room = waiting.configure(
        event_id=options.event,
        enabled=True,
        paused=True,
        opens_at=now,
        rate_per_minute=options.rate,
        max_admitted=options.places,
        shopping_seconds=3600,
    )
    holders = [f"h_bench{i:06d}" for i in range(options.places)]
    Place.objects.bulk_create(
        (
            Place(
                room=room,
                holder=holder,
                rank=secrets.randbelow(EARLY_RANKS),
                joined_at=now,
            )
            for holder in holders
        ),
        batch_size=BATCH,
    )
    cookies = []
    for holder in holders[: options.sessions]:
        session = SessionStore()
        session[SESSION_KEY] = holder
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    print(json.dumps({"room": room.id, "cookies": cookies}))


if __name__ == "__main__":
    main()
