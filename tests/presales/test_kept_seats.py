"""Seats kept for a sales channel: not on sale to anyone who has not
unlocked it, until the channel releases them; judged at every hold, on
SQLite and on PostgreSQL alike (the PostgreSQL pass runs this file too)."""

from __future__ import annotations

import pytest

from presales import staff
from presales.selection import Selection
from seats import layouts, selectors, services
from seats.errors import BadRequest, NoAdjacentSeats, SeatsUnavailable, UnknownSeat
from seats.models import Event, SalesChannel, Seat, SeatStatus
from seats.services import channels, tokens
from tests.conftest import T0, ids_of, later
from tests.seats.test_services import everything

pytestmark = pytest.mark.django_db(transaction=True)


def kept_labels(event) -> list[str]:
    return sorted(
        Seat.objects.filter(event=event, channel__isnull=False).values_list(
            "label", flat=True
        )
    )


def test_keeping_a_row_is_a_layout_change_announced_like_a_new_plan(
    event, announcements
):
    before = Event.objects.get(pk=event.id)
    opened = staff.open_channel(
        event_id=event.id, name="Members presale", code="abcdef", now=T0
    )
    changed = staff.keep(
        event_id=event.id,
        channel_id=opened.channel.pk,
        selection=Selection(rows="A"),
        now=T0,
    )
    assert kept_labels(event) == ["A1", "A2", "A3", "A4", "A5"]
    assert changed == ids_of(event, "A1", "A2", "A3", "A4", "A5")
    after = Event.objects.get(pk=event.id)
    # Opening the channel and keeping the row: two layout changes.
    assert after.layout_version == before.layout_version + 2
    assert after.version == before.version + 2
    assert [c.reason for c in announcements] == ["plan_changed"] * 2
    # Keeping them again changes nothing and announces nothing.
    assert (
        staff.keep(
            event_id=event.id,
            channel_id=opened.channel.pk,
            selection=Selection(labels="A1-A5"),
            now=T0,
        )
        == []
    )
    assert len(announcements) == 2
    layout = layouts.layout(event.id)
    assert [(c.id, c.name, c.releases_at) for c in layout.channels] == [
        (opened.channel.pk, "Members presale", None)
    ]
    assert {s.label: s.channel for s in layout.seats}["A3"] == opened.channel.pk
    assert {s.label: s.channel for s in layout.seats}["B3"] is None


def test_the_code_is_kept_only_as_a_keyed_hash(event):
    opened = staff.open_channel(
        event_id=event.id, name="Partners", code="  Open-Sesame ", now=T0
    )
    stored = SalesChannel.objects.get(pk=opened.channel.pk)
    assert opened.code == "Open-Sesame"
    assert "sesame" not in stored.code_digest.lower()
    assert len(stored.code_digest) == 64
    with pytest.raises(BadRequest, match="has that code"):
        staff.open_channel(event_id=event.id, name="Other", code="OPEN-SESAME", now=T0)
    with pytest.raises(BadRequest, match="at least"):
        staff.open_channel(event_id=event.id, name="Short", code="abc", now=T0)


def test_a_kept_seat_is_not_on_sale_without_the_channel(event, presale):
    before = everything()
    with pytest.raises(SeatsUnavailable, match="A5 is not on sale") as refused:
        services.hold_seats(
            event_id=event.id, holder="h_public", seat_ids=ids_of(event, "A5"), now=T0
        )
    assert refused.value.seat_ids == ids_of(event, "A5")
    # With a free seat of general sale: all or nothing, nothing changed.
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(
            event_id=event.id,
            holder="h_public",
            seat_ids=ids_of(event, "B1", "A5"),
            now=T0,
        )
    assert everything() == before
    # Another channel's holder has no access either.
    other = staff.open_channel(event_id=event.id, name="Press", code="press-1", now=T0)
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(
            event_id=event.id,
            holder="h_press",
            seat_ids=ids_of(event, "A5"),
            now=T0,
            channels=[other.channel.pk],
        )


def test_a_kept_seat_is_held_by_whoever_unlocked_the_channel(event, presale):
    result = services.hold_seats(
        event_id=event.id,
        holder="h_member",
        seat_ids=ids_of(event, "A5", "B1"),
        now=T0,
        channels=[presale.pk],
    )
    assert result.seat_ids == ids_of(event, "A5", "B1")
    a5 = Seat.objects.get(pk=ids_of(event, "A5")[0])
    assert (a5.status_at(T0), a5.holder) == (SeatStatus.HELD, "h_member")
    # Holding it again, or extending, needs nothing more.
    services.hold_seats(
        event_id=event.id, holder="h_member", seat_ids=ids_of(event, "A5"), now=T0
    )
    services.extend_hold(event_id=event.id, holder="h_member", now=later(10))


def test_the_channel_releases_its_seats_by_time_alone(event, presale):
    channels.set_releases_at(channel_id=presale.pk, releases_at=later(60), now=T0)
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(
            event_id=event.id,
            holder="h_public",
            seat_ids=ids_of(event, "A5"),
            now=later(59),
        )
    # Nothing ran at later(60): the hold's own check says the seat is on sale.
    services.hold_seats(
        event_id=event.id,
        holder="h_public",
        seat_ids=ids_of(event, "A5"),
        now=later(60),
    )
    assert Seat.objects.get(pk=ids_of(event, "A5")[0]).holder == "h_public"


def test_hold_best_never_offers_a_kept_seat_without_the_channel(event, presale):
    # Row A is the best row (premium, nearest the stage): without access the
    # choice is in row B, and four more than row B has is refused.
    chosen = services.hold_best(event_id=event.id, holder="h_public", count=2, now=T0)
    assert {s.row for s in Seat.objects.filter(id__in=chosen.seat_ids)} == {"B"}
    with pytest.raises(NoAdjacentSeats):
        services.hold_best(event_id=event.id, holder="h_other", count=4, now=T0)
    member = services.hold_best(
        event_id=event.id,
        holder="h_member",
        count=2,
        now=T0,
        channels=[presale.pk],
    )
    assert {s.row for s in Seat.objects.filter(id__in=member.seat_ids)} == {"A"}


def test_held_and_booked_seats_can_be_kept_and_stay_as_they_are(event):
    a1, a2 = ids_of(event, "A1", "A2")
    services.hold_seats(event_id=event.id, holder="h_early", seat_ids=[a1, a2], now=T0)
    opened = staff.open_channel(event_id=event.id, name="House", code="house-1", now=T0)
    channels.keep_seats(
        event_id=event.id, channel_id=opened.channel.pk, seat_ids=[a1, a2], now=T0
    )
    # The hold goes on: released, extended and booked like any other.
    services.release_seats(
        event_id=event.id, holder="h_early", seat_ids=[a2], now=later(1)
    )
    booked = services.book_from_map(
        event_id=event.id, holder="h_early", seat_ids=[a1], now=later(2)
    )
    assert booked.seat_ids == [a1]
    assert Seat.objects.get(pk=a1).status_at(later(3)) == SeatStatus.BOOKED
    # A2, released, is kept: not on sale to the public any more.
    with pytest.raises(SeatsUnavailable):
        services.hold_seats(
            event_id=event.id, holder="h_public", seat_ids=[a2], now=later(3)
        )


def test_giving_seats_back_to_general_sale(event, presale):
    staff.keep(
        event_id=event.id,
        channel_id=None,
        selection=Selection(labels="A4, A5"),
        now=T0,
    )
    assert kept_labels(event) == ["A1", "A2", "A3"]
    services.hold_seats(
        event_id=event.id, holder="h_public", seat_ids=ids_of(event, "A5"), now=T0
    )
    assert channels.delete_channel(channel_id=presale.pk, now=T0) == 3
    assert kept_labels(event) == []


def test_selections_name_zones_rows_labels_and_ranges(event, presale):
    from presales.selection import seat_ids

    assert seat_ids(event.id, Selection(labels="A1-A3")) == ids_of(
        event, "A1", "A2", "A3"
    )
    assert seat_ids(event.id, Selection(labels="B2, A1-3")) == sorted(
        ids_of(event, "A1", "A2", "A3", "B2")
    )
    assert len(seat_ids(event.id, Selection(rows="A, B"))) == 10
    with pytest.raises(BadRequest, match="No such seat: Z9"):
        seat_ids(event.id, Selection(labels="A1, Z9"))
    with pytest.raises(BadRequest):
        seat_ids(event.id, Selection())
    with pytest.raises(UnknownSeat):
        channels.keep_seats(
            event_id=event.id, channel_id=presale.pk, seat_ids=[10**9], now=T0
        )


def test_a_partner_key_holds_the_channel_seats_through_its_token(event, presale):
    """tokens.add_seats: the channels come with the caller (its API key)."""
    first = services.hold_seats(
        event_id=event.id,
        holder=tokens.new_api_holder(),
        seat_ids=ids_of(event, "B1"),
        now=T0,
        details=True,
    )
    with pytest.raises(SeatsUnavailable):
        tokens.add_seats(first.token, ids_of(event, "A5"), now=T0)
    added = tokens.add_seats(
        first.token, ids_of(event, "A5"), now=T0, channels=[presale.pk]
    )
    assert added.token == first.token
    assert sorted(
        Seat.objects.filter(hold__token=first.token).values_list("id", flat=True)
    ) == sorted(ids_of(event, "A5", "B1"))


def test_the_snapshot_carries_channels_and_what_the_viewer_unlocked(event, presale):
    seat_map = selectors.seat_map(
        event_id=event.id, viewer="h_member", now=T0, unlocked={presale.pk, 999}
    )
    assert [c.name for c in seat_map.channels] == ["Members presale"]
    assert seat_map.channels_unlocked == [presale.pk]
    kept = [s.label for s in seat_map.seats if s.channel == presale.pk]
    assert kept == ["A1", "A2", "A3", "A4", "A5"]
    # Kept seats are still `available` by the status rule: the map decides.
    assert {s.status for s in seat_map.seats} == {SeatStatus.AVAILABLE}
