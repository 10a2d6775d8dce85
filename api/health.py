"""Health checks for load balancers: `/healthz` (alive) and `/readyz` (ready).

Both are async views: a database or Redis that stops answering costs a probe
at most CHECK_TIMEOUT_SECONDS, after which the view answers 503 without it.
A database ping stuck in the driver keeps one of two dedicated threads, so
stuck pings cannot pile up. Neither view touches the session, so probes get
no cookie. Their documents are the wire format's (wire.health).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from api.responses import json_response
from wire.health import OK, liveness, readiness

logger = logging.getLogger(__name__)

# Each check's bound: well inside the usual load-balancer probe timeout.
CHECK_TIMEOUT_SECONDS = 2.0
# A group nobody joins: a send to it proves the layer answers, reaching no one.
PROBE_GROUP = "health.probe"

# Database pings run here, not on the shared executor: a ping stuck in a
# connect blocks one of these two threads, and later ones time out in the
# queue instead of taking more threads.
_database_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")


def ping_database() -> None:
    """`SELECT 1` on the default database; raises if it does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # This thread serves no request, so nothing else would give a pooled
        # PostgreSQL connection back (CONN_MAX_AGE 0); SQLite's is kept.
        close_old_connections()


async def check_database() -> None:
    await sync_to_async(
        ping_database, thread_sensitive=False, executor=_database_threads
    )()


def probe_groups(shards: int) -> list[str]:
    """One probe group per Redis shard: channels-redis puts a group on the
    shard its name hashes to, so a worker is ready only if every shard of
    its layer answers."""
    if shards <= 1:
        return [PROBE_GROUP]
    from channels_redis.utils import _consistent_hash

    found: dict[int, str] = {}
    for n in range(100 * shards):
        name = f"{PROBE_GROUP}.{n}"
        found.setdefault(_consistent_hash(name, shards), name)
        if len(found) == shards:
            break
    return list(found.values())


async def ping_channel_layer() -> None:
    """A send to a probe group on every shard: one PUBLISH (pub/sub) or one
    script (core) per Redis server."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # The in-memory layer answers without I/O, so it is always ok.
    shards = len(getattr(layer, "_shards", None) or getattr(layer, "hosts", None) or ())
    await asyncio.gather(
        *(
            layer.group_send(group, {"type": "health.probe"})
            for group in probe_groups(shards)
        )
    )


async def outcome(name: str, check: Callable[[], Awaitable[None]]) -> str:
    """`ok`, or `error: <reason>` naming only the kind of failure (the log has more)."""
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning(
            "readiness: %s gave no answer within %gs", name, CHECK_TIMEOUT_SECONDS
        )
        return f"error: no answer within {CHECK_TIMEOUT_SECONDS:g}s"
    except Exception as error:
        # One line per probe: an outage would otherwise log a traceback
        # every few seconds.
        logger.warning("readiness: %s failed: %r", name, error)
        # The class name only: the message may name internal hosts and ports,
        # and this endpoint answers anyone.
        return f"error: {type(error).__name__}"
    return OK


@never_cache
@require_safe
async def healthz(request: HttpRequest) -> HttpResponse:
    """200 whenever the process answers HTTP: for liveness, no dependency checked."""
    return json_response(liveness())


@never_cache
@require_safe
async def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the channel layer answer, else 503 naming which."""
    database, channel_layer = await asyncio.gather(
        outcome("database", check_database),
        outcome("channel layer", ping_channel_layer),
    )
    document = readiness({"database": database, "channel_layer": channel_layer})
    ready = document["status"] == "ready"
    return json_response(document, status=200 if ready else 503)
