"""The sales channels' fields (docs/protocol.md) on real data: a kept row,
a channel with a release time, a viewer who unlocked it. Every frame and
document is checked against docs/asyncapi.yaml, and the fields must be
there with their values, not merely allowed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from presales import staff
from presales.selection import Selection
from seats import layouts, selectors
from seats.services import channels
from tests.conftest import T0, later
from tests.contracts.asyncapi import check_document, check_server_frame
from wire import frames

pytestmark = pytest.mark.django_db


def test_snapshots_and_the_layout_document_carry_the_channels(event, presale):
    channels.set_releases_at(channel_id=presale.pk, releases_at=later(3600), now=T0)
    listed = [
        {
            "id": presale.pk,
            "name": "Members presale",
            "releases_at": "2026-01-01T13:00:00.000Z",
        }
    ]

    full = frames.snapshot(
        selectors.seat_map(
            event_id=event.id, viewer="h_member", now=T0, unlocked={presale.pk}
        )
    )
    check_server_frame(json.loads(frames.dumps(full)))
    assert full["channels"] == listed and full["channels_unlocked"] == [presale.pk]
    assert {s["label"]: s["channel"] for s in full["seats"]} == {
        **{f"A{n}": presale.pk for n in range(1, 6)},
        **{f"B{n}": None for n in range(1, 6)},
    }

    state = layouts.live_state(event.id, T0)
    layout = layouts.layout_at(event.id, state.layout_version)
    ref = frames.layout_ref(layout, "/api/layout.json")
    mine = frames.personal(event.id, "h_member", None, T0, None, {presale.pk})
    live = frames.live_snapshot(frames.live_shared(state, ref), mine)
    check_server_frame(json.loads(frames.dumps(live)))
    assert live["channels_unlocked"] == [presale.pk]

    url = f"/api/events/{event.id}/layout/{layout.digest}.json"
    document = json.loads(Client().get(url).content)
    check_document("LayoutDocument", document)
    assert document["channels"] == listed
    assert sum(1 for s in document["seats"] if s["channel"] == presale.pk) == 5


def test_keeping_seats_makes_a_new_layout_document(event):
    before = layouts.layout(event.id)
    opened = staff.open_channel(event_id=event.id, name="House", code="house-1", now=T0)
    staff.keep(
        event_id=event.id,
        channel_id=opened.channel.pk,
        selection=Selection(labels="B3"),
        now=T0,
    )
    after = layouts.layout(event.id)
    assert after.layout_version == before.layout_version + 2
    assert after.digest != before.digest
    stale = f"/api/events/{event.id}/layout/{before.digest}.json"
    assert Client().get(stale).status_code == 404
