"""The plan editor's endpoints: drafts saved as drawn, checked, published."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from plans.native import write_native
from plans.store import create_event, save_plan
from seats import services
from seats.models import Seat, SeatingPlan
from tests.conftest import T0
from tests.standing import club_plan

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(settings.BASE_DIR) / "docs" / "plan-editor.schema.json").read_text()
)


def answer(response, status: int) -> dict:
    """The JSON answer with this status, checked against the published schema."""
    assert response.status_code == status, (response.status_code, response.content)
    document = response.json()
    jsonschema.validate(document, SCHEMA)
    return document


@pytest.fixture
def staff() -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(User.objects.create_user("ann", password="pw", is_staff=True))
    return client


@pytest.fixture
def other_staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("bob", password="pw", is_staff=True))
    return client


@pytest.fixture
def stored() -> SeatingPlan:
    return save_plan(plan=club_plan(capacity=10))


def put(client, plan_id, body):
    return client.put(
        f"/api/staff/plans/{plan_id}/draft",
        json.dumps(body),
        content_type="application/json",
    )


def publish(client, plan_id, revision):
    return client.post(
        f"/api/staff/plans/{plan_id}/publish",
        json.dumps({"revision": revision}),
        content_type="application/json",
    )


def test_the_first_draft_is_the_plan_with_its_counts(staff, stored):
    draft = answer(staff.get(f"/api/staff/plans/{stored.pk}/draft"), 200)

    assert draft["revision"] == 1 and draft["document"] == stored.document
    assert draft["problems"] == []
    assert draft["counts"] == {
        "seats": 6 + 4 + 6,
        "places": 10,
        "by_category": {"balcony": 16, "standing": 10},
        "by_zone": {"Floor": 10, "Balcony": 16},
    }
    assert draft["editors"] == [] and draft["published"] == {
        "revision": None,
        "at": None,
    }


def test_a_draft_with_problems_is_saved_and_says_which_seats(staff, stored):
    document = json.loads(json.dumps(stored.document))
    seats = document["zones"][1]["rows"][0]["seats"]
    seats[1]["key"] = seats[0]["key"]  # the same key twice

    saved = answer(put(staff, stored.pk, {"revision": 1, "document": document}), 200)

    assert saved["revision"] == 2 and saved["saved_by"] == "ann"
    problem = saved["problems"][0]
    assert "is used again" in problem["message"], saved["problems"]
    assert problem["seat_keys"] == [seats[0]["key"]]
    refused = answer(publish(staff, stored.pk, 2), 422)
    assert refused["code"] == "plan_invalid" and refused["problems"]
    assert SeatingPlan.objects.get(pk=stored.pk).document == stored.document


def test_saving_over_a_newer_revision_asks_first(staff, other_staff, stored):
    answer(staff.get(f"/api/staff/plans/{stored.pk}/draft"), 200)
    seen = answer(other_staff.get(f"/api/staff/plans/{stored.pk}/draft"), 200)
    assert [e["name"] for e in seen["editors"]] == ["ann"]
    answer(
        put(other_staff, stored.pk, {"revision": 1, "document": stored.document}), 200
    )

    stale = answer(
        put(staff, stored.pk, {"revision": 1, "document": stored.document}), 409
    )

    assert (stale["code"], stale["revision"], stale["saved_by"]) == (
        "draft_changed",
        2,
        "bob",
    )
    forced = put(
        staff, stored.pk, {"revision": 1, "document": stored.document, "force": True}
    )
    assert answer(forced, 200)["revision"] == 3


def test_something_that_is_no_plan_document_is_not_saved(staff, stored):
    refused = answer(
        put(staff, stored.pk, {"revision": 1, "document": {"zones": 3}}), 422
    )

    assert refused["code"] == "bad_request" and refused["problems"]
    assert (
        answer(staff.get(f"/api/staff/plans/{stored.pk}/draft"), 200)["revision"] == 1
    )


def test_publishing_moves_the_events_onto_the_draft(staff, stored):
    event = create_event(
        plan=stored, name="Club", starts_at=T0, avoid_single_seats=False
    )
    document = write_native(club_plan(capacity=14))

    saved = answer(put(staff, stored.pk, {"revision": 1, "document": document}), 200)
    done = answer(publish(staff, stored.pk, saved["revision"]), 200)

    assert done["events"] == [{"id": event.pk, "name": "Club"}]
    assert done["published"]["revision"] == 2
    assert Seat.objects.filter(event=event, area="floor").count() == 14


def test_publishing_never_takes_a_held_seat(staff, stored):
    event = create_event(
        plan=stored, name="Club", starts_at=T0, avoid_single_seats=False
    )
    a1 = Seat.objects.get(event=event, key="A1")
    # Held now: publishing judges the seats at the moment it runs.
    services.hold_seats(event_id=event.pk, holder="h1", seat_ids=[a1.pk])
    document = json.loads(json.dumps(stored.document))
    document["zones"][1]["rows"][0]["seats"] = document["zones"][1]["rows"][0]["seats"][
        1:
    ]
    saved = answer(put(staff, stored.pk, {"revision": 1, "document": document}), 200)

    refused = answer(publish(staff, stored.pk, saved["revision"]), 409)

    assert refused["code"] == "plan_change_refused"
    assert refused["seats"] == [{"event": "Club", "label": "A1"}]
    assert Seat.objects.filter(pk=a1.pk).exists()


def test_a_new_plan_is_empty_and_cannot_be_published_empty(staff):
    created = answer(
        staff.post(
            "/api/staff/plans",
            json.dumps({"name": "Hall"}),
            content_type="application/json",
        ),
        201,
    )

    assert created["edit_url"] == f"/plans/{created['id']}/edit/"
    draft = answer(staff.get(f"/api/staff/plans/{created['id']}/draft"), 200)
    assert draft["counts"]["seats"] == 0
    assert [p["message"] for p in draft["problems"]] == ["the plan has no seats"]
    assert answer(publish(staff, created["id"], 1), 422)["code"] == "plan_invalid"


def test_only_staff_and_only_with_csrf(stored, client):
    user = User.objects.create_user("joe", password="pw")
    client.force_login(user)
    for response in (
        client.get(f"/api/staff/plans/{stored.pk}/draft"),
        put(client, stored.pk, {"revision": 1, "document": stored.document}),
        publish(client, stored.pk, 1),
        client.post("/api/staff/plans", "{}", content_type="application/json"),
    ):
        answer(response, 403)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_user("kim", password="pw", is_staff=True))
    assert (
        put(strict, stored.pk, {"revision": 1, "document": stored.document}).status_code
        == 403
    )
    assert (
        answer(strict.get(f"/api/staff/plans/{stored.pk + 99}/draft"), 404)["code"]
        == "not_found"
    )


def test_the_dashboard_lists_plans_and_draws_a_new_one(staff, stored):
    page = staff.get("/dashboard/")
    assert f'href="/plans/{stored.pk}/edit/"' in page.content.decode()

    made = staff.post("/plans/new/", {"name": "Main hall"})

    plan = SeatingPlan.objects.get(name="Main hall")
    assert made.status_code == 302 and made["Location"] == f"/plans/{plan.pk}/edit/"


def test_a_deeply_nested_body_is_a_bad_request(staff, stored):
    response = staff.put(
        f"/api/staff/plans/{stored.pk}/draft",
        "[" * 3000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert (
        answer(staff.get(f"/api/staff/plans/{stored.pk}/draft"), 200)["revision"] == 1
    )
