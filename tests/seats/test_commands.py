"""The management commands, by what they print and what they leave behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_ensure_admin_uses_admin_password(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse battery")

    out = run("ensure_admin")

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.is_active
    assert admin.check_password("correct horse battery")
    assert "correct horse battery" not in out
    assert run("ensure_admin") == ""
    assert User.objects.count() == 1

    monkeypatch.setenv("ADMIN_PASSWORD", "a different one")
    run("ensure_admin")
    admin.refresh_from_db()
    assert admin.check_password("a different one")


def test_ensure_admin_without_a_password_prints_a_generated_one_once(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    out = run("ensure_admin")

    password = re.search(r"with password: (\S+)", out).group(1)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password(password)
    again = run("ensure_admin")
    assert again == ""
    admin.refresh_from_db()
    assert admin.check_password(password)
