"""A database the previous release wrote keeps working after an upgrade.

The apps were split by concern (plans, webhooks, workers) without moving a
model: every table stays where it was, and the only rows naming code are the
sweeper's stored jobs, which name it by module path.
"""

from __future__ import annotations

import pickle
import time
from datetime import timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_apscheduler.models import DjangoJob, DjangoJobExecution

from seats.models import Event, Seat, WebhookDelivery, WebhookEndpoint
from workers.sweeper import SWEEP_JOB_ID, build_scheduler, sweep_and_admit

pytestmark = pytest.mark.django_db(transaction=True)

# The leaf migration of each app in the previous release (before the split).
PREVIOUS_RELEASE = [
    ("seats", "0009_seat_by_holder"),
    ("api", "0001_initial"),
    ("django_apscheduler", "0009_djangojobexecution_unique_job_executions"),
]


def test_the_models_and_the_migrations_agree():
    """Moving code between apps moved no model: no migration is missing."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_database_of_the_previous_release_migrates_and_keeps_its_rows():
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)
    old = executor.loader.project_state(PREVIOUS_RELEASE).apps
    now = timezone.now()
    event = old.get_model("seats", "Event").objects.create(name="Old", starts_at=now)
    category = old.get_model("seats", "PriceCategory").objects.create(
        event=event, code="std", name="Standard", price=10
    )
    old.get_model("seats", "Seat").objects.create(
        event=event, key="A1", row="A", number=1, label="A1", x=0, y=0,
        category=category,
    )  # fmt: skip
    endpoint = old.get_model("seats", "WebhookEndpoint").objects.create(
        url="https://shop.example/hooks", secret="whsec_" + "A" * 43
    )
    old.get_model("seats", "WebhookDelivery").objects.create(
        endpoint=endpoint, event_type="seats.held", event_id=event.id, version=1,
        payload={"type": "seats.held"}, created_at=now, next_attempt_at=now,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Event.objects.get().name == "Old"
    assert Seat.objects.get().label == "A1"
    assert WebhookEndpoint.objects.get().url == "https://shop.example/hooks"
    assert WebhookDelivery.objects.get().status == "pending"


def test_a_sweep_job_stored_by_the_previous_release_is_replaced_and_runs(settings):
    """The previous release stored its sweep job as `seats.sweeper:sweep`; a
    new sweeper replaces it at start (same id) and sweeps."""
    settings.SEAT_SWEEP_RUN_SECONDS = 0.2  # runs end, and are recorded, soon
    # What APScheduler 3 pickles for a job, as the previous release stored it.
    state = {
        "version": 1,
        "id": SWEEP_JOB_ID,
        "func": "seats.sweeper:sweep",  # a module that no longer exists
        "trigger": IntervalTrigger(seconds=1),
        "executor": "default",
        "args": (),
        "kwargs": {},
        "name": "Release expired seat holds",
        "misfire_grace_time": 30,
        "coalesce": True,
        "max_instances": 1,
        "next_run_time": timezone.now() + timedelta(seconds=3600),
    }
    DjangoJob.objects.create(
        id=SWEEP_JOB_ID,
        next_run_time=state["next_run_time"],
        job_state=pickle.dumps(state, pickle.HIGHEST_PROTOCOL),
    )

    scheduler = build_scheduler(blocking=False)
    try:
        scheduler.start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if DjangoJobExecution.objects.filter(
                job_id=SWEEP_JOB_ID, status=DjangoJobExecution.SUCCESS
            ).exists():
                break
            time.sleep(0.05)
    finally:
        # Wait for the run under way: a job left running would touch the
        # database after the test, from another thread.
        scheduler.shutdown(wait=True)
    stored = pickle.loads(DjangoJob.objects.get(id=SWEEP_JOB_ID).job_state)
    assert stored["func"] == f"{sweep_and_admit.__module__}:sweep_and_admit"
    assert DjangoJobExecution.objects.filter(
        job_id=SWEEP_JOB_ID, status=DjangoJobExecution.SUCCESS
    ).exists()
