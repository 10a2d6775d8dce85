"""The environment a project child process gets: settings only when passed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devtools.processes import ROOT, Project, child_environment, is_project_setting
from tests.devtools.sources import first_party_packages, python_files

# Tooling reads its own variables (TEST_*, BENCH_*); the project is the rest.
TOOLING = {"bench", "devtools", "tests"}
READ = re.compile(
    r"""(?:env_(?:str|bool|int|float)|os\.environ\.get|os\.getenv)\(\s*["']([A-Z0-9_]+)["']"""
    r"""|os\.environ\[\s*["']([A-Z0-9_]+)["']\s*\]"""
)


def variables_the_project_reads() -> set[str]:
    """Names read in settings, apps and management commands (by their source)."""
    sources = [ROOT / "manage.py"]
    for package in first_party_packages() - TOOLING:
        sources += python_files(ROOT / package)
    names: set[str] = set()
    for source in sources:
        for match in READ.finditer(source.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def test_shell_settings_do_not_reach_the_child(monkeypatch, tmp_path):
    monkeypatch.setenv("SEAT_HOLD_SECONDS", "2")
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/db")
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    env = Project(tmp_path).env
    assert "SEAT_HOLD_SECONDS" not in env
    assert "DATABASE_URL" not in env
    assert "DJANGO_DEBUG" not in env


def test_settings_the_caller_passes_do_reach_the_child(monkeypatch, tmp_path):
    monkeypatch.setenv("SEAT_HOLD_SECONDS", "2")
    env = Project(tmp_path, SEAT_HOLD_SECONDS="7").env
    assert env["SEAT_HOLD_SECONDS"] == "7"


def test_the_rest_of_the_environment_is_inherited(monkeypatch, tmp_path):
    monkeypatch.setenv("DEVTOOLS_PROBE", "kept")
    env = Project(tmp_path).env
    assert env["DEVTOOLS_PROBE"] == "kept"
    assert env["PATH"]
    assert env["SEATS_VAR_DIR"] == str(tmp_path)
    # The suite's settings (tests/settings.py), as pytest-django set them.
    assert env["DJANGO_SETTINGS_MODULE"] == "tests.settings"


def test_the_projects_settings_unless_the_caller_runs_others():
    assert (
        child_environment({}, Path("/tmp/a"), {})["DJANGO_SETTINGS_MODULE"]
        == "config.settings"
    )


def test_defaults_give_way_to_what_the_caller_passes():
    env = child_environment(
        {"SEATS_VAR_DIR": "/shell/var"}, Path("/tmp/a"), {"SEATS_VAR_DIR": "/tmp/b"}
    )
    assert env["SEATS_VAR_DIR"] == "/tmp/b"


def test_every_variable_the_project_reads_counts_as_a_setting():
    names = variables_the_project_reads()
    # The scan itself works: these are read in config/settings.py.
    assert {"SEAT_HOLD_SECONDS", "DATABASE_URL", "REDIS_URL"} <= names
    assert {name for name in names if not is_project_setting(name)} == set()


@pytest.mark.parametrize("name", ["PATH", "HOME", "PYTHONPATH", "TEST_REDIS_URL"])
def test_tool_and_system_variables_are_not_settings(name):
    assert not is_project_setting(name)
