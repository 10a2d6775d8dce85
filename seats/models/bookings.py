"""Bookings and the seats they sold, as sold."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from seats.models.venues import Event


class Booking(models.Model):
    """Seats sold together. Cancelling frees the seats but keeps the record.

    `seat_list` keeps what was booked ({"id", "label"} per seat) because a
    cancelled booking's seats no longer point at it.
    """

    reference = models.CharField(max_length=16, unique=True)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="bookings")
    holder = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField()
    # The shop's own id for this sale (its order or payment), if any.
    external_reference = models.CharField(max_length=200, blank=True, db_index=True)
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email = models.EmailField(blank=True)
    seat_list = models.JSONField(default=list, blank=True)
    # The hold it was made from (a dead capability once booked): lets the
    # shop match the booking to the checkout that handed the token over.
    hold_token = models.CharField(max_length=64, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Channel(models.TextChoices):
        WEB = "web"  # the seat map (a click on "Book")
        BOX_OFFICE = "box_office"  # staff, from the box office map
        API = "api"  # a shop, through the REST API

    channel = models.CharField(
        max_length=12, choices=Channel.choices, default=Channel.WEB
    )
    # Box office sales: who sold it and how it was paid.
    sold_by = models.CharField(max_length=150, blank=True, default="")
    payment_note = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class BookedSeat(models.Model):
    """One seat as a booking sold it, kept for good with its state.

    Written with the booking, one row per seat; a cancellation marks the
    row (`cancelled_at`, `refunded`) and frees the seat itself, so the
    record keeps every seat the booking ever had while the map sells the
    cancelled ones again. Place, category and price are copies taken at
    sale: a later plan or price change does not rewrite a sold ticket.
    """

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="booked_seats"
    )
    # Not a database constraint: the id stays what was sold even if a plan
    # change later removes the (by then free) seat, as `seat_list` did.
    seat = models.ForeignKey(
        "Seat", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    label = models.CharField(max_length=64)
    section = models.CharField(max_length=40, blank=True)
    row = models.CharField(max_length=16, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    category_code = models.CharField(max_length=40, blank=True)
    category_name = models.CharField(max_length=80, blank=True)
    price = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # What the cancellation gave back: the price as sold (no partial refunds).
    refunded = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["booking_id", "id"]
        constraints = [
            # Cancelled and refunded go together.
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, refunded__isnull=True)
                | Q(cancelled_at__isnull=False, refunded__isnull=False),
                name="booked_seat_cancelled_with_refund",
            ),
            # A booking sells a seat once: its ticket and its cancellation
            # are looked up by the pair.
            models.UniqueConstraint(
                fields=["booking", "seat"], name="booked_seat_once_per_booking"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} of {self.booking_id}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
