"""The plan admin: upload through the admin's own form flow, CSRF checks on."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from seats.models import Event, PriceCategory, SeatingPlan

pytestmark = pytest.mark.django_db

PLANS = Path(__file__).resolve().parents[2] / "plans"
ADD = "/admin/seats/seatingplan/add/"
CHANGELIST = "/admin/seats/seatingplan/"


@pytest.fixture
def staff() -> Client:
    User.objects.create_superuser("boss", "boss@example.org", "pw-for-tests")
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="boss", password="pw-for-tests")
    return client


def csrf(client: Client, url: str) -> str:
    """Open the page as a browser would and take the token it set."""
    page = client.get(url)
    assert page.status_code == 200
    return client.cookies["csrftoken"].value


def upload(client: Client, plan: bytes, name: str, **extra) -> object:
    token = csrf(client, ADD)
    data = {
        "csrfmiddlewaretoken": token,
        "plan_file": SimpleUploadedFile(name, plan),
        "_save": "Save",
        **extra,
    }
    return client.post(ADD, data)


def test_staff_upload_a_plan_with_its_flags(staff):
    response = upload(
        staff,
        (PLANS / "grand-hall.pretix.json").read_bytes(),
        "grand-hall.pretix.json",
        flags_file=SimpleUploadedFile(
            "flags.csv", (PLANS / "grand-hall.flags.csv").read_bytes()
        ),
        plan_name="Grand Hall (winter)",
    )

    assert response.status_code == 302
    plan = SeatingPlan.objects.get()
    assert plan.name == "Grand Hall (winter)"
    assert plan.seat_count >= 400
    assert any(
        seat.get("wheelchair")
        for zone in plan.document["zones"]
        for row in zone["rows"]
        for seat in row["seats"]
    )


def test_a_refused_upload_shows_every_problem_and_imports_nothing(staff):
    broken = {"name": "Broken", "categories": [], "zones": [{"rows": []}]}

    response = upload(staff, json.dumps(broken).encode(), "broken.json")

    assert response.status_code == 200  # the form again, with its errors
    page = response.content.decode()
    assert "$.zones[0].position: missing" in page
    assert "$.size: missing" in page
    assert not SeatingPlan.objects.exists()


def test_the_upload_needs_the_csrf_token(staff):
    csrf(staff, ADD)
    plan = (PLANS / "grand-hall.pretix.json").read_bytes()

    response = staff.post(ADD, {"plan_file": SimpleUploadedFile("p.json", plan)})

    assert response.status_code == 403
    assert not SeatingPlan.objects.exists()


def test_people_who_are_not_staff_get_the_login_page_or_403():
    User.objects.create_user("visitor", password="pw-for-tests")
    visitor = Client()
    visitor.login(username="visitor", password="pw-for-tests")

    response = visitor.get(ADD)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    clerk = User.objects.create_user("clerk", password="pw-for-tests", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_event"))
    staff_without_rights = Client()
    staff_without_rights.login(username="clerk", password="pw-for-tests")
    assert staff_without_rights.get(ADD).status_code == 403


def test_create_an_event_from_a_plan_with_the_action(staff):
    upload(
        staff, (PLANS / "grand-hall.pretix.json").read_bytes(), "grand-hall.pretix.json"
    )
    plan = SeatingPlan.objects.get()
    token = csrf(staff, CHANGELIST)
    chosen = {
        "csrfmiddlewaretoken": token,
        "action": "create_event_from_plan",
        "_selected_action": [str(plan.pk)],
    }

    form_page = staff.post(CHANGELIST, chosen)

    assert form_page.status_code == 200
    assert "Price: Premium" in form_page.content.decode()
    done = staff.post(
        CHANGELIST,
        {
            **chosen,
            "apply": "1",
            "name": "New Year's Eve",
            "starts_at": "2026-12-31 19:30",
            "currency": "EUR",
            "price_premium": "80.00",
            "price_standard": "50.00",
            "price_balcony": "25.50",
        },
    )

    event = Event.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/admin/seats/event/{event.pk}/change/"
    assert (event.name, event.plan) == ("New Year's Eve", plan)
    assert event.seats.count() == plan.seat_count
    assert dict(PriceCategory.objects.values_list("code", "price")) == {
        "premium": Decimal("80.00"),
        "standard": Decimal("50.00"),
        "balcony": Decimal("25.50"),
    }
    # The event's page shows the plan, read-only.
    page = staff.get(done["Location"]).content.decode()
    assert plan.name in page
    assert 'name="plan"' not in page


def test_the_action_form_is_shown_again_when_it_is_wrong(staff):
    upload(
        staff, (PLANS / "grand-hall.pretix.json").read_bytes(), "grand-hall.pretix.json"
    )
    plan = SeatingPlan.objects.get()

    response = staff.post(
        CHANGELIST,
        {
            "csrfmiddlewaretoken": csrf(staff, CHANGELIST),
            "action": "create_event_from_plan",
            "_selected_action": [str(plan.pk)],
            "apply": "1",
            "name": "Broken",
            "starts_at": "someday",
            "currency": "EUR",
            "price_premium": "-1",
        },
    )

    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    assert not Event.objects.exists()


def test_an_upload_with_unstorable_text_is_refused_not_a_server_error(staff):
    plan = b"zone,row,number,x,y,category\nStalls,A,1\x00,10,20,std\n"
    response = upload(staff, plan, "nul.csv")
    assert response.status_code == 200  # the form again, with its errors
    assert "line 2: contains a control character (U+0000)" in response.content.decode()
    surrogate = b'{"format": "seats-plan", "name": "\\ud800"}'
    response = upload(staff, surrogate, "half.json")
    assert response.status_code == 200
    assert "$.name: contains U+D800" in response.content.decode()
    assert not SeatingPlan.objects.exists()
