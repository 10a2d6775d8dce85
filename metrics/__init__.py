"""Prometheus metrics: every one the project exports, defined in one place.

A package of its own below every other: the domain records none (its
changes are counted where they are announced), and the sockets, the
sweeper, the webhook sender and the API each import what they record.

Names follow Prometheus's conventions (`_total` counters, base units such
as `_seconds`); labels take few, bounded values (request types, error
codes, change reasons). With PROMETHEUS_MULTIPROC_DIR set (run_cluster does
it), the processes on one host share their numbers through files there, and
any worker's /metrics answers for all of them; without it each process
reports its own (scrape every worker).

Recording never raises into the caller: a metric is not worth a failed
request.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "seats_requests_total",
    "WebSocket requests answered, by type and outcome (ok or the error code).",
    ["type", "outcome"],
)
SEAT_CHANGES = Counter(
    "seats_seat_changes_total",
    "Seats changed by committed changes, by reason (held, released, expired, "
    "extended, booked, cancelled, blocked, unblocked; a plan change counts none).",
    ["reason"],
)
OPEN_SOCKETS = Gauge(
    "seats_open_sockets",
    "WebSocket connections open now, by kind (seat_map or dashboard).",
    ["kind"],
    multiprocess_mode="livesum",
)
BROADCAST_LAG = Histogram(
    "seats_broadcast_lag_seconds",
    "From a change's commit to its frame being handed to the local sockets, "
    "by the way it came: straight from this process's hub, or from another "
    "process through the channel layer.",
    ["via"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BROADCAST_WINDOW = Histogram(
    "seats_broadcast_window_seconds",
    "Broadcast windows opened, by length: SEAT_BROADCAST_WINDOW_SECONDS, "
    "stretched when writing an event's frames takes long (many sockets).",
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1),
)
BROADCAST_WRITE = Histogram(
    "seats_broadcast_write_seconds",
    "Writing one frame to a group's local sockets (a fan-out, or one chunk "
    "of it), wall time.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1),
)
BROADCAST_WRITE_CPU = Counter(
    "seats_broadcast_write_cpu_seconds_total",
    "The serving thread's own CPU while writing frames to sockets. Over the "
    "sum of seats_broadcast_write_seconds: the share of its fan-outs the "
    "worker had a CPU for (well under 1: other processes hold the cores).",
)
BROADCAST_GAPS = Counter(
    "seats_broadcast_gaps_total",
    "Versions that did not reach a worker in time through the channel layer "
    "(a lost publish).",
)
BROADCAST_CATCHUPS = Counter(
    "seats_broadcast_catchups_total",
    "Gaps closed by a worker: filled (read back from the database, sent as one "
    "frame), late (the versions came while being read back: nothing to send) "
    "or skipped (passed on with the gap; clients resync).",
    ["result"],
)
PUBLISH_FAILURES = Counter(
    "seats_publish_failures_total",
    "Channel-layer sends that failed (each retry counts), by outcome of the "
    "publish (retried or given_up).",
    ["outcome"],
)
SWEEP_DURATION = Histogram(
    "seats_sweep_duration_seconds",
    "How long one sweep of expired holds took.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SWEPT_SEATS = Counter("seats_swept_seats_total", "Seats released by sweeps.")
LAST_SWEEP = Gauge(
    "seats_last_sweep_timestamp_seconds",
    "Unix time the last sweep finished (any process; 0 before the first).",
    multiprocess_mode="max",
)
SWEEPER_LEADING = Gauge(
    "seats_sweeper_leading",
    "Sweepers leading now (1 in a healthy deployment; 0: nobody sweeps).",
    multiprocess_mode="livesum",
)
DB_TIMEOUTS = Counter(
    "seats_db_timeouts_total",
    "Socket database calls answered with `timeout` (SEAT_DB_CALL_TIMEOUT_SECONDS).",
    ["operation"],
)
LOOP_CLICKS = Counter(
    "seats_loop_clicks_total",
    "Holds and releases tried on the serving loop's own connections "
    "(seats.loop_db): `answered` there, or sent the `usual_way` (threads).",
    ["result"],
)
DB_OPERATION = Histogram(
    "seats_db_operation_seconds",
    "Database work of the sockets, by operation (the service or selector).",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3, 10),
)
GC_FULL_PASS = Histogram(
    "seats_gc_full_pass_seconds",
    "Full passes of the cyclic garbage collector over a serving process, "
    "frozen sockets included (realtime.gc_pacing): the loop waits meanwhile.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
RATE_LIMITED = Counter(
    "seats_rate_limited_total",
    "Requests or connections refused by a rate limit, by limit "
    "(requests or connections).",
    ["limit"],
)

WEBHOOK_ATTEMPTS = Counter(
    "seats_webhook_attempts_total",
    "Webhook delivery attempts, by outcome (delivered: a 2xx answer; failed: "
    "any other status, redirects included; error: no answer, e.g. a timeout).",
    ["outcome"],
)
WEBHOOK_GIVEN_UP = Counter(
    "seats_webhook_given_up_total",
    "Webhook messages given up after SEAT_WEBHOOK_RETRY_FOR_SECONDS of retries.",
)
WEBHOOK_DELIVERY_LAG = Histogram(
    "seats_webhook_delivery_lag_seconds",
    "From a change's commit to its webhook being delivered (retries included).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400),
)


def exposition() -> bytes:
    """The metrics of this process, or of every process sharing the directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
