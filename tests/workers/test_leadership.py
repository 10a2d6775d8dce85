"""The sweeper's leader connection: the project's own connection options."""

from __future__ import annotations

import pytest
from django.db import connection

from config.env import database_from_url
from workers.leadership import Leadership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_leader_connection_carries_the_database_url_options(monkeypatch):
    """`?options=...` of DATABASE_URL (sslmode, timeouts, ...) reach the leader too."""
    url = "postgres://u@h/seats?options=-c%20statement_timeout%3D1234"
    options = database_from_url(url)["OPTIONS"]["options"]
    assert options == "-c statement_timeout=1234"
    monkeypatch.setitem(
        connection.settings_dict,
        "OPTIONS",
        {**connection.settings_dict["OPTIONS"], "options": options},
    )

    leader = Leadership().connect()
    try:
        assert leader.execute("SHOW statement_timeout").fetchone()[0] == "1234ms"
        name = leader.execute("SHOW application_name").fetchone()[0]
        assert name == "seats-sweeper-leader"
    finally:
        leader.close()
