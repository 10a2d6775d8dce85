"""The REST API driven from its own OpenAPI document (schemathesis).

Generated requests for every route, with a selling key: none may get a
500, and every answer must match the document (status code, content type,
body schema). A bounded number of examples per route keeps this quick.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.keys import create_key
from plans.venues import create_venue

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def sell_key(db, settings):
    settings.SEAT_API_REQUESTS_PER_SECOND = 0  # the limit is not under test here
    create_venue(name="Fuzzed", rows=2, seats_per_row=5, premium_rows=1)
    # As Django's test client does: the test's transaction must outlive
    # each request, so requests may not close the connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield create_key("fuzz", "sell")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_route_fails_or_breaks_its_contract(case, sell_key):
    response = case.call(headers={"Authorization": f"Bearer {sell_key}"})
    case.validate_response(response, checks=CHECKS)
