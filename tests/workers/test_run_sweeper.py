"""`run_sweeper` as a real process: a leader that loses its lock stands by
and leads again; a database blip never ends it, only SIGTERM does.

The process is the real command against the test database; only its
leadership check interval is shortened, so the test takes seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHECK_SECONDS = 0.1
SWEEPER = f"""
import django
django.setup()
from django.core.management import call_command
from workers import running
running.LEADERSHIP_CHECK_SECONDS = {CHECK_SECONDS}
call_command("run_sweeper")
"""


def sweeper_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def leader_pid() -> int | None:
    """The backend holding the sweeper's advisory lock on the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND a.datname = current_database()"
            " AND a.application_name = 'seats-sweeper-leader'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def test_a_sweeper_that_loses_its_lock_leads_again_and_stops_only_on_sigterm(
    tmp_path,
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": sweeper_database_url(),
        "SEATS_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    with (
        open(tmp_path / "out.log", "wb") as out,
        open(tmp_path / "err.log", "wb") as err,
    ):
        process = subprocess.Popen(
            [sys.executable, "-c", SWEEPER], cwd=ROOT, env=env, stdout=out, stderr=err
        )
    try:
        deadline = time.monotonic() + 20
        while (pid := leader_pid()) is None:
            assert process.poll() is None, (tmp_path / "err.log").read_text()
            assert time.monotonic() < deadline, "the sweeper never took the lock"
            time.sleep(0.05)
        # Leading, it keeps running through several checks.
        time.sleep(5 * CHECK_SECONDS)
        assert process.poll() is None, (tmp_path / "err.log").read_text()

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

        # It notices, stands by, and takes the lock again on a new connection.
        deadline = time.monotonic() + 20
        while leader_pid() in (None, pid):
            assert process.poll() is None, (tmp_path / "err.log").read_text()
            assert time.monotonic() < deadline, "the sweeper never led again"
            time.sleep(0.05)
        assert process.poll() is None

        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert returncode == 0
    assert (
        "Lost the sweeper lock; standing by again."
        in (tmp_path / "err.log").read_text()
    )
    assert (tmp_path / "out.log").read_text().count("Sweeper running") == 2
