"""Seats: one row per seat (and standing place) of an event."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Case, Q, QuerySet, Value, When

from seats.models.bookings import Booking
from seats.models.channels import SalesChannel
from seats.models.holds import Hold
from seats.models.status import SeatStatus, status_of, status_q
from seats.models.venues import Event, PriceCategory


class SeatQuerySet(QuerySet["Seat"]):
    """The questions every caller asks of seats, each answered at `now`."""

    def held_at(self, now: datetime) -> SeatQuerySet:
        """In a running hold."""
        return self.filter(status_q(SeatStatus.HELD, now))

    def held_by(self, holder: str, now: datetime) -> SeatQuerySet:
        return self.held_at(now).filter(holder=holder)

    def lapsed_at(self, now: datetime) -> SeatQuerySet:
        """Still pointing at a hold whose time has passed: the sweeper's work."""
        return self.filter(hold__isnull=False, held_until__lte=now)

    def with_status(self, now: datetime) -> SeatQuerySet:
        """Annotated with `status`, by the same rule as `status_of`."""
        return self.annotate(
            status=Case(
                When(status_q(SeatStatus.BOOKED, now), then=Value("booked")),
                When(status_q(SeatStatus.BLOCKED, now), then=Value("blocked")),
                When(status_q(SeatStatus.HELD, now), then=Value("held")),
                default=Value(SeatStatus.AVAILABLE.value),
                output_field=models.CharField(),
            )
        )


class Seat(models.Model):
    # Not indexed alone: seat_by_holder and the unique constraints start with it.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="seats", db_index=False
    )
    # The seat's identity in its plan (pretix seat_guid): stable across plan
    # versions, so a re-imported plan keeps every event's seats and state.
    key = models.CharField(max_length=64)
    section = models.CharField(max_length=40, blank=True)  # the plan's zone
    row = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=64)
    # Position on the plan, in plan units (y grows towards the back).
    x = models.FloatField()
    y = models.FloatField()
    # Seats side by side share a run (a row between aisles), in this order:
    # the neighbour rules read these, never the coordinates.
    run = models.CharField(max_length=120, blank=True)
    run_position = models.IntegerField(default=0)
    category = models.ForeignKey(
        PriceCategory, on_delete=models.PROTECT, related_name="seats"
    )
    wheelchair = models.BooleanField(default=False)  # a wheelchair space
    # A companion seat belongs to one wheelchair space (seats.rules).
    companion_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companions",
    )
    restricted_view = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    # A place in a standing area (the area's key in the plan), not a seat:
    # sold like a seat, one row per place of the area's capacity, so every
    # guarantee a seat has (never two holders, expiry, booking) holds for
    # it; never in a run, and the map draws the area, not the places.
    area = models.CharField(max_length=40, blank=True, default="")
    # A seat at a table (the table's key in the plan); `whole_table`: that
    # table is held and released only as a whole (seat_rules). A database
    # default too: the click functions insert seats without naming them.
    table = models.CharField(max_length=40, blank=True, default="", db_default="")
    whole_table = models.BooleanField(default=False, db_default=False)

    # Hold state, copied from the hold so one conditional UPDATE on this row
    # can check and take the seat. Empty holder / NULL time when not held.
    hold = models.ForeignKey(
        Hold, null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )
    holder = models.CharField(max_length=40, blank=True, default="")
    held_until = models.DateTimeField(null=True, blank=True, db_index=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    # Out of sale by staff (seats.services.staff), with the reason staff gave.
    blocked = models.BooleanField(default=False)
    blocked_reason = models.CharField(max_length=120, blank=True, default="")
    # Kept for a sales channel (SalesChannel): not on sale to anyone who has
    # not unlocked it while the channel is active. Independent of the hold
    # state: a held or booked seat may be kept too (it stays as it is).
    # Not indexed: every click rewrites the seat row, and so every index of
    # the table; channels are read per event (seat rows are read by event).
    channel = models.ForeignKey(
        SalesChannel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seats",
        db_index=False,
    )

    objects = SeatQuerySet.as_manager()

    class Meta:
        # event_id, not event: ordering by the relation would join events.
        ordering = ["event_id", "y", "x", "id"]
        indexes = [
            # A holder's seats of an event: counted under lock by every hold
            # (the per-holder limit), read by release_all and the admission
            # check. Without it each is a scan of the event's seats.
            models.Index(fields=["event", "holder"], name="seat_by_holder"),
            # A standing area's places, where free ones are picked. Partial:
            # seats (no area) never enter it, so a click on a seat pays
            # nothing for it.
            models.Index(
                fields=["event", "area"],
                name="seat_places_by_area",
                condition=~Q(area=""),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "label"], name="seat_label_per_event"
            ),
            models.UniqueConstraint(fields=["event", "key"], name="seat_key_per_event"),
            # The last guard: hold fields are all set or all clear, and a
            # booked seat carries no hold.
            models.CheckConstraint(
                condition=(
                    Q(hold__isnull=True, held_until__isnull=True, holder="")
                    | Q(
                        hold__isnull=False,
                        held_until__isnull=False,
                        booking__isnull=True,
                    )
                    & ~Q(holder="")
                ),
                name="seat_hold_fields_consistent",
            ),
            # A blocked seat is neither held nor booked.
            models.CheckConstraint(
                condition=Q(blocked=False) | Q(hold__isnull=True, booking__isnull=True),
                name="seat_blocked_is_free_of_holds_and_bookings",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def status_at(self, now: datetime) -> SeatStatus:
        return status_of(
            booking_id=self.booking_id,
            held_until=self.held_until,
            now=now,
            blocked=self.blocked,
        )
