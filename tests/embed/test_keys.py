"""Publishable keys: their origins, their events, the command that makes them,
and the order `access.resolve` checks in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from embed import access
from embed.admin import PublishableKeyForm
from embed.models import PublishableKey
from tests.embed.conftest import SHOP, new_key


def test_a_key_is_pk_and_random(pk):
    other = new_key(name="other")
    assert pk.key.startswith("pk_") and len(pk.key) == 27
    assert pk.key != other.key


@pytest.mark.parametrize(
    "origins",
    [
        [],
        "https://shop.example",
        ["https://shop.example/"],
        ["ftp://x"],
        ["null"],
        ["https://shop.example/path"],
        ["https://"],
        [5],
    ],
)
def test_malformed_origins_are_refused(db, origins):
    key = PublishableKey(name="x", origins=origins)
    with pytest.raises(ValidationError):
        key.full_clean()


def test_origins_compare_exactly_with_explicit_ports(db):
    key = new_key(origins=["https://shop.example", "http://127.0.0.1:8100"])
    assert key.allows_origin("https://shop.example")
    assert key.allows_origin("https://shop.example:443")
    assert key.allows_origin("https://SHOP.example")
    assert key.allows_origin("http://127.0.0.1:8100")
    assert not key.allows_origin("http://shop.example")
    assert not key.allows_origin("https://shop.example:8443")
    assert not key.allows_origin("https://evil.shop.example")
    assert not key.allows_origin("http://127.0.0.1:8000")
    assert not key.allows_origin("null")
    assert not key.allows_origin("")
    assert not key.allows_origin(None)


def test_events_blank_means_every_event(event, other_event):
    everything = new_key()
    one = new_key(events=[event.id], name="one")
    assert everything.allows_event(event.id) and everything.allows_event(other_event.id)
    assert one.allows_event(event.id) and not one.allows_event(other_event.id)


def test_resolve_checks_key_then_origin_then_event(event, other_event):
    key = new_key(events=[event.id])
    assert access.resolve(key.key, SHOP, event.id) == key

    def code(*args):
        with pytest.raises(access.EmbedRefused) as refused:
            access.resolve(*args)
        return refused.value.code, refused.value.status

    assert code("pk_nope", "http://evil.example", 10**30) == ("key_invalid", 401)
    assert code(None, SHOP, event.id) == ("key_invalid", 401)
    assert code("sk_x_y", SHOP, event.id) == ("key_invalid", 401)
    assert code(key.key, "http://evil.example", 10**30) == ("origin_not_allowed", 403)
    assert code(key.key, None, event.id) == ("origin_not_allowed", 403)
    assert code(key.key, "null", event.id) == ("origin_not_allowed", 403)
    # Not issued for it, or no such event: the same answer.
    assert code(key.key, SHOP, other_event.id) == ("event_not_found", 404)
    assert code(key.key, SHOP, 999_999) == ("event_not_found", 404)
    assert code(key.key, SHOP, 2**70) == ("event_not_found", 404)
    key.revoked_at = timezone.now()
    key.save()
    assert code(key.key, SHOP, event.id) == ("key_invalid", 401)


def test_the_command_prints_only_the_key(event):
    out = StringIO()
    call_command(
        "create_publishable_key",
        "shop",
        "--origin",
        SHOP,
        "--origin",
        "https://shop.example",
        "--event",
        str(event.id),
        stdout=out,
    )
    text = out.getvalue().strip()
    key = PublishableKey.objects.get()
    assert text == key.key
    assert key.origins == [SHOP, "https://shop.example"]
    assert list(key.events.values_list("id", flat=True)) == [event.id]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origin", "https://shop.example/"], "not an origin"),
        ([], "at least one origin"),
        (["--origin", SHOP, "--event", "424242"], "No such event: 424242"),
    ],
)
def test_the_command_refuses_bad_input_and_creates_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_publishable_key", "shop", *args, stdout=StringIO())
    assert not PublishableKey.objects.exists()


def test_the_admin_form_takes_one_origin_a_line(event):
    form = PublishableKeyForm(
        data={"name": "shop", "origins": f"{SHOP}\n\n https://shop.example \n"}
    )
    assert form.is_valid(), form.errors
    key = form.save()
    assert key.origins == [SHOP, "https://shop.example"]
    bad = PublishableKeyForm(data={"name": "shop", "origins": "https://x.example/a"})
    assert not bad.is_valid() and "origins" in bad.errors
    empty = PublishableKeyForm(data={"name": "shop", "origins": "  \n"})
    assert not empty.is_valid() and "origins" in empty.errors


def test_the_admin_revokes(admin_client, pk):
    response = admin_client.post(
        "/admin/embed/publishablekey/",
        {"action": "revoke", "_selected_action": [pk.pk]},
    )
    assert response.status_code == 302
    pk.refresh_from_db()
    assert pk.revoked_at is not None
    page = admin_client.get(f"/admin/embed/publishablekey/{pk.pk}/change/")
    assert page.status_code == 200 and pk.key in page.content.decode()
