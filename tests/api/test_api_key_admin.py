"""API keys made and revoked in the admin: the key is shown once, stored hashed."""

from __future__ import annotations

import re

import pytest

from api.keys import authenticate, create_key
from api.models import ApiKey

pytestmark = pytest.mark.django_db


def test_a_key_made_in_the_admin_is_shown_once_and_stored_hashed(admin_client):
    response = admin_client.post(
        "/admin/api/apikey/add/", {"name": "Shop", "scope": "sell"}, follow=True
    )
    assert response.status_code == 200
    shown = " ".join(str(m) for m in response.context["messages"])
    plain = re.search(r"sk_[0-9a-f]{8}_[\w-]+", shown).group(0)
    made = ApiKey.objects.get()
    assert (made.name, made.scope) == ("Shop", "sell")
    assert plain not in (made.hashed, made.prefix) and made.hashed != ""
    assert authenticate(plain) == made
    # Once shown, never again.
    page = admin_client.get(f"/admin/api/apikey/{made.pk}/change/").content.decode()
    assert plain not in page and f"sk_{made.prefix}_" in page


def test_revoking_in_the_admin_stops_the_key(admin_client):
    made, plain = create_key("Old shop", "read")
    response = admin_client.post(
        "/admin/api/apikey/",
        {"action": "revoke_keys", "_selected_action": [made.pk]},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.revoked_at is not None
    assert authenticate(plain) is None
    # Revoked, not deleted: the admin offers no delete.
    assert admin_client.post(f"/admin/api/apikey/{made.pk}/delete/").status_code == 403


def test_only_staff_reach_the_keys(client, django_user_model):
    user = django_user_model.objects.create_user("visitor", password="pw")
    client.force_login(user)
    assert client.get("/admin/api/apikey/").status_code == 302
