"""One command process per project: commands run as manage.py runs them."""

from __future__ import annotations

import sqlite3

import pytest

from devtools import migrated
from devtools.processes import Project


@pytest.fixture
def project(tmp_path):
    project = Project(tmp_path)
    yield project
    project.stop_all()


def test_commands_share_one_process_and_return_their_output(project):
    project.migrate()
    out = project.manage("seed_demo", "--rows", "2", "--seats-per-row", "3")
    assert "Created demo event" in out
    runner = project._runner
    assert runner is not None
    event = project.new_event("Second", 1, 4)
    assert project._runner is runner, "a second command started a second process"
    listed = project.manage(
        "shell",
        "-c",
        "from seats.models import Seat; "
        f"print(Seat.objects.filter(event_id={event}).count())",
    )
    assert listed.split()[-1] == "4"


def test_a_failing_command_is_an_error_and_the_process_carries_on(project):
    with pytest.raises(RuntimeError, match="Unknown command"):
        project.manage("no_such_command")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        project.manage("shell", "-c", "1 / 0")
    assert project.manage("shell", "-c", "print('still here')").endswith("still here\n")


def test_a_changed_environment_gets_a_process_of_its_own(project):
    before = project.manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SEAT_HOLD_SECONDS)",
    )
    assert before.split()[-1] == "300"
    project.env = {**project.env, "SEAT_HOLD_SECONDS": "7"}
    out = project.manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SEAT_HOLD_SECONDS)",
    )
    assert out.split()[-1] == "7"


def test_stop_all_ends_the_command_process(project):
    project.manage("shell", "-c", "print(1)")
    runner = project._runner
    project.stop_all()
    assert runner is not None and runner.poll() == 0


def test_a_second_new_database_is_a_copy_of_the_first_migrated_one(tmp_path):
    first, second = Project(tmp_path / "a"), Project(tmp_path / "b")
    try:
        first.migrate()  # made the template, or (an earlier test did) used it
        assert migrated._sqlite_template is not None
        assert migrated.is_new(second.env)
        assert migrated.restore(second.env)
        second.migrate()
        tables = sqlite3.connect(tmp_path / "b" / "db.sqlite3").execute(
            "SELECT count(*) FROM django_migrations"
        )
        assert tables.fetchone()[0] > 0
        assert not migrated.is_new(second.env)
    finally:
        first.stop_all()
        second.stop_all()


def test_a_copy_is_not_migrated_again_and_has_every_migration(tmp_path):
    first, second = Project(tmp_path / "a"), Project(tmp_path / "b")
    try:
        first.migrate()  # made the template, or (an earlier test did) used it
        second.migrate()
        assert second._runner is None  # no command ran for it
        plan = second.manage("showmigrations", "--plan")
        assert "[X]" in plan and "[ ]" not in plan, plan
    finally:
        first.stop_all()
        second.stop_all()


def test_a_process_starts_before_any_command_made_the_folder(tmp_path):
    project = Project(tmp_path / "never-used")
    try:
        process = project.spawn_python("hello", "-c", "print('hello')")
        assert process.wait(timeout=60) == 0
        assert project.log("hello").strip() == "hello"
    finally:
        project.stop_all()
