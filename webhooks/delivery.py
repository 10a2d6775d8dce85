"""The delivery worker: sends the outbox to each endpoint, in order, at least once.

Invariants:

* Only the endpoint's configured URL is contacted, and redirects are never
  followed (a 3xx is a failed attempt): a receiver cannot send signed
  bodies on to an address the operator did not choose.
* An endpoint's deliveries go strictly in `id` order: while its oldest
  pending delivery (its head) is neither delivered nor given up, nothing
  later of that endpoint is attempted.
* One sender per endpoint across all workers: a worker owns an endpoint
  while `lease_until` holds the value it wrote (a conditional UPDATE),
  renews it before each attempt, and every attempt ends (its timeout) well
  before the lease does.
* At least once: an attempt's outcome is written after the HTTP call, so a
  worker killed in between leaves the delivery pending, and whoever next
  owns the endpoint, once the lease has lapsed, sends it again with the same
  `webhook-id`.

One attempt (the POST, its address checks, its deadline) is
`webhooks.attempt`. `DeliveryWorker` runs the loop (in `deliver_webhooks`,
or as a thread of `serve` in the embedded default); `deliver_endpoint` and
`deliver_due` do one endpoint's or every endpoint's due work in the calling
thread.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

import metrics
from seats.outbox import writer as outbox
from seats.outbox.models import WebhookDelivery, WebhookEndpoint
from seats.timefmt import iso
from webhooks import signing
from webhooks.attempt import ERROR_LENGTH, Outcome, describe, post

logger = logging.getLogger(__name__)

PENDING = WebhookDelivery.Status.PENDING

# Endpoints sent to at once by one worker: a slow endpoint holds up only its
# own thread.
THREADS = 4
# A lease outlasts an attempt's timeout by this much: room for the database
# writes around the attempt, so a live owner never loses its endpoint.
LEASE_MARGIN_SECONDS = 5.0
# Retry delays are spread by this fraction either way, so endpoints that
# failed together (a receiver's outage) are not retried in lockstep.
JITTER = 0.2
# Backoff of the loop after a database error: doubling from the first, up
# to the last.
ERROR_BACKOFF_SECONDS = (0.5, 10.0)
# The shortest wait of the loop, so a due time a hair away is no busy loop.
MIN_WAIT_SECONDS = 0.005


def backoff_seconds(failures: int) -> float:
    """The wait after `failures` failed attempts in a row: doubling from
    SEAT_WEBHOOK_RETRY_BASE_SECONDS, capped at SEAT_WEBHOOK_RETRY_MAX_SECONDS,
    then spread by ±JITTER."""
    base = settings.SEAT_WEBHOOK_RETRY_BASE_SECONDS
    delay = min(
        base * 2.0 ** min(failures - 1, 64), settings.SEAT_WEBHOOK_RETRY_MAX_SECONDS
    )
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


# Leases -------------------------------------------------------------------


def _lease_until(now: datetime) -> datetime:
    seconds = settings.SEAT_WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS
    return now + timedelta(seconds=seconds)


def claim(endpoint_id: int, now: datetime) -> datetime | None:
    """Take the endpoint if its lease is free; the lease (the owner's token) or None."""
    until = _lease_until(now)
    taken = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(lease_until=until)
    )
    return until if taken else None


def renew(endpoint_id: int, lease: datetime, now: datetime) -> datetime | None:
    """Extend a lease this worker still holds; None if it was lost meanwhile."""
    until = max(_lease_until(now), lease)
    kept = WebhookEndpoint.objects.filter(pk=endpoint_id, lease_until=lease).update(
        lease_until=until
    )
    return until if kept else None


def release(endpoint_id: int, lease: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, lease_until=lease).update(
        lease_until=None
    )


# Sending --------------------------------------------------------------------


def deliver_endpoint(endpoint_id: int, *, stop: threading.Event | None = None) -> int:
    """Send the endpoint's due deliveries in `id` order under its lease.

    Stops at the first delivery that is not due yet (the later ones wait
    for it), when the endpoint is switched off, when the lease is lost or
    when `stop` is set. Returns the number of attempts made; 0 as well when
    another worker owns the endpoint.
    """
    lease = claim(endpoint_id, timezone.now())
    if lease is None:
        return 0
    attempts = 0
    try:
        while stop is None or not stop.is_set():
            endpoint = WebhookEndpoint.objects.filter(
                pk=endpoint_id, enabled=True
            ).first()
            head = (
                WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=PENDING)
                .order_by("id")
                .first()
            )
            now = timezone.now()
            if endpoint is None or head is None or head.next_attempt_at > now:
                break
            renewed = renew(endpoint_id, lease, now)
            if renewed is None:
                logger.warning("webhook endpoint %s: lease lost", endpoint_id)
                return attempts
            lease = renewed
            _attempt(endpoint, head)
            attempts += 1
    finally:
        if lease is not None:
            release(endpoint_id, lease)
    return attempts


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    """One attempt and its outcome on the row; no error of the row escapes."""
    at = timezone.now()
    try:
        body = signing.body_bytes(delivery.payload)
        headers = signing.attempt_headers(
            secret=endpoint.secret, message_id=delivery.message_id, body=body, at=at
        )
    except Exception as error:  # a bad secret or row: a failed attempt, not a crash
        outcome = Outcome(None, f"cannot sign the message ({type(error).__name__})")
    else:
        outcome = post(
            endpoint.url,
            body,
            headers,
            timeout=settings.SEAT_WEBHOOK_TIMEOUT_SECONDS,
        )
    metrics.WEBHOOK_ATTEMPTS.labels(outcome.label).inc()
    _record(endpoint, delivery, outcome, at=at, now=timezone.now())


def _record(
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    outcome: Outcome,
    *,
    at: datetime,
    now: datetime,
) -> None:
    """Write the attempt on the delivery, and the endpoint's run of failures."""
    fields: dict[str, object] = {
        "attempts": F("attempts") + 1,
        "last_attempt_at": at,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:ERROR_LENGTH],
    }
    rows = WebhookDelivery.objects.filter(pk=delivery.pk, status=PENDING)
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if outcome.delivered:
        with transaction.atomic():
            rows.update(
                status=WebhookDelivery.Status.DELIVERED, delivered_at=now, **fields
            )
            endpoints.exclude(failing_since=None).update(failing_since=None)
        metrics.WEBHOOK_DELIVERY_LAG.observe(
            max(0.0, (now - delivery.created_at).total_seconds())
        )
        return

    retry_for = timedelta(seconds=settings.SEAT_WEBHOOK_RETRY_FOR_SECONDS)
    given_up = now - delivery.created_at >= retry_for
    if given_up:
        fields["status"] = WebhookDelivery.Status.FAILED
    else:
        failures = delivery.attempts + 1
        fields["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(failures))
    failing_since = endpoint.failing_since or now
    disable_after = timedelta(seconds=settings.SEAT_WEBHOOK_DISABLE_AFTER_SECONDS)
    switch_off = now - failing_since >= disable_after
    changes: dict[str, object] = {"failing_since": failing_since}
    if switch_off:
        changes |= {
            "enabled": False,
            "disabled_reason": (
                f"Switched off at {iso(now)}: every attempt failed since "
                f"{iso(failing_since)}."
            ),
        }
    with transaction.atomic():
        rows.update(**fields)
        endpoints.update(**changes)
    logger.info(
        "webhook %s to endpoint %s, attempt %d: %s",
        delivery.message_id,
        endpoint.pk,
        delivery.attempts + 1,
        outcome.error,
    )
    if given_up:
        metrics.WEBHOOK_GIVEN_UP.inc()
        logger.warning(
            "webhook %s (%s v%s) to endpoint %s given up after %d attempt(s)",
            delivery.message_id,
            delivery.event_type,
            delivery.version,
            endpoint.pk,
            delivery.attempts + 1,
        )
    if switch_off:
        logger.warning(
            "webhook endpoint %s switched off: failing since %s",
            endpoint.pk,
            iso(failing_since),
        )


# Finding work -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    """Endpoints with work now, and when the next one falls due."""

    endpoint_ids: list[int]
    next_at: datetime | None


def find_due(now: datetime) -> Due:
    """Enabled endpoints whose head is due and whose lease is free.

    Only heads count: a later delivery is never due before its head.
    """
    heads = dict(
        WebhookDelivery.objects.filter(status=PENDING, endpoint__enabled=True)
        .values_list("endpoint_id")
        .annotate(head=Min("id"))
        .values_list("endpoint_id", "head")
    )
    due: list[int] = []
    next_at: datetime | None = None
    rows = WebhookDelivery.objects.filter(id__in=heads.values()).values_list(
        "endpoint_id", "next_attempt_at", "endpoint__lease_until"
    )
    for endpoint_id, next_attempt_at, lease_until in rows:
        ready = max(next_attempt_at, lease_until or next_attempt_at)
        if ready <= now:
            due.append(endpoint_id)
        elif next_at is None or ready < next_at:
            next_at = ready
    return Due(sorted(due), next_at)


def deliver_due(*, stop: threading.Event | None = None) -> int:
    """Every endpoint's due deliveries, one endpoint after another, in this
    thread; the number of attempts made."""
    return sum(
        deliver_endpoint(endpoint_id, stop=stop)
        for endpoint_id in find_due(timezone.now()).endpoint_ids
    )


# The loop ---------------------------------------------------------------------


class DeliveryWorker:
    """Sends due deliveries until stopped, one thread per busy endpoint.

    Wakes on `outbox.written` (set after a commit in this process that wrote
    deliveries), when the next retry or lease falls due, and at least every
    SEAT_WEBHOOK_POLL_SECONDS (changes committed by other processes). A
    database error costs one log line and a pause, never the loop.
    """

    def __init__(self, *, threads: int = THREADS) -> None:
        self.stopping = threading.Event()
        self.wake = outbox.written
        self._threads = threads
        self._busy: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> DeliveryWorker:
        """Run the loop in a daemon thread of this process."""
        self._thread = threading.Thread(
            target=self.run, name="webhook-delivery", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, *, timeout: float | None = None) -> None:
        """Ask the loop to end, and wait up to `timeout` for a started thread.

        Attempts under way finish first (each within its timeout); one cut
        short by the process ending is sent again later (at least once).
        """
        self.stopping.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """The loop, in the calling thread, until `stop()`."""
        pause = ERROR_BACKOFF_SECONDS[0]
        pool = ThreadPoolExecutor(self._threads, thread_name_prefix="webhook-send")
        try:
            while not self.stopping.is_set():
                # Cleared before looking, so a commit after the look wakes us.
                self.wake.clear()
                try:
                    close_old_connections()
                    wait = self._dispatch(pool)
                    pause = ERROR_BACKOFF_SECONDS[0]
                except Exception as error:
                    logger.warning(
                        "webhook delivery: database error (%s); retrying in %gs",
                        describe(error),
                        pause,
                    )
                    wait = pause
                    pause = min(pause * 2, ERROR_BACKOFF_SECONDS[1])
                    with suppress(Exception):
                        close_old_connections()
                if not self.stopping.is_set():
                    self.wake.wait(wait)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            with suppress(Exception):
                close_old_connections()

    def _dispatch(self, pool: ThreadPoolExecutor) -> float:
        """Hand each due endpoint that is not already being sent to a thread;
        the seconds until the loop should look again."""
        now = timezone.now()
        due = find_due(now)
        for endpoint_id in due.endpoint_ids:
            with self._lock:
                if endpoint_id in self._busy:
                    continue
                self._busy.add(endpoint_id)
            pool.submit(self._send, endpoint_id)
        wait = settings.SEAT_WEBHOOK_POLL_SECONDS
        if due.next_at is not None:
            wait = min(wait, (due.next_at - now).total_seconds())
        return max(wait, MIN_WAIT_SECONDS)

    def _send(self, endpoint_id: int) -> None:
        """One endpoint's run on a pool thread, with healthy connections around it."""
        finished = False
        try:
            close_old_connections()
            deliver_endpoint(endpoint_id, stop=self.stopping)
            finished = True
        except Exception as error:
            # The lease lapses by itself; the loop's next look retries.
            logger.warning(
                "webhook endpoint %s: database error (%s)",
                endpoint_id,
                describe(error),
            )
        finally:
            with suppress(Exception):
                close_old_connections()
            with self._lock:
                self._busy.discard(endpoint_id)
        if finished:
            # Deliveries committed while this run was ending were skipped by
            # the loop (the endpoint was busy): have it look again now.
            self.wake.set()
