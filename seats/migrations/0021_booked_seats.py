"""Bookings keep every seat they sold, with its state (BookedSeat).

Existing bookings are filled from what is known: the seats a booking
points at now are booked; the other seats of its `seat_list` were
cancelled out of it, at the time of their first `cancelled` activity
after the sale (the booking's own cancellation time, or its sale time,
where the log has none). Place and price come from the seat rows and
their categories as they are now: nothing older was kept. A seat since
removed from the plan keeps its label only.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_booked_seats(apps, schema_editor):
    Booking = apps.get_model("seats", "Booking")
    BookedSeat = apps.get_model("seats", "BookedSeat")
    Seat = apps.get_model("seats", "Seat")
    Activity = apps.get_model("seats", "Activity")
    for booking in Booking.objects.order_by("pk").iterator(chunk_size=500):
        current = set(
            Seat.objects.filter(booking_id=booking.pk).values_list("id", flat=True)
        )
        listed = [(s["id"], s["label"]) for s in booking.seat_list or []]
        listed_ids = {seat_id for seat_id, _ in listed}
        # Seats booked but missing from the list (should not happen): kept too.
        extra = sorted(current - listed_ids)
        labels = dict(Seat.objects.filter(id__in=extra).values_list("id", "label"))
        listed += [(seat_id, labels[seat_id]) for seat_id in extra]
        seats = {
            seat.pk: seat
            for seat in Seat.objects.filter(
                id__in=[seat_id for seat_id, _ in listed]
            ).select_related("category")
        }
        rows = []
        for seat_id, label in listed:
            seat = seats.get(seat_id)
            category = seat.category if seat is not None else None
            price = category.price if category is not None else 0
            cancelled_at = None
            if seat_id not in current:
                cancelled_at = (
                    (
                        Activity.objects.filter(
                            seat_id=seat_id,
                            kind="cancelled",
                            at__gte=booking.created_at,
                        )
                        .order_by("at")
                        .values_list("at", flat=True)
                        .first()
                    )
                    or booking.cancelled_at
                    or booking.created_at
                )
            rows.append(
                BookedSeat(
                    booking_id=booking.pk,
                    seat_id=seat_id,
                    label=label,
                    section=seat.section if seat is not None else "",
                    row=seat.row if seat is not None else "",
                    number=seat.number if seat is not None else None,
                    category_code=category.code if category is not None else "",
                    category_name=category.name if category is not None else "",
                    price=price,
                    currency=category.currency if category is not None else "EUR",
                    cancelled_at=cancelled_at,
                    refunded=price if cancelled_at is not None else None,
                )
            )
        BookedSeat.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("seats", "0020_click_functions"),
    ]

    operations = [
        migrations.CreateModel(
            name="BookedSeat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("label", models.CharField(max_length=64)),
                ("section", models.CharField(blank=True, max_length=40)),
                ("row", models.CharField(blank=True, max_length=16)),
                ("number", models.PositiveIntegerField(blank=True, null=True)),
                ("category_code", models.CharField(blank=True, max_length=40)),
                ("category_name", models.CharField(blank=True, max_length=80)),
                (
                    "price",
                    models.DecimalField(decimal_places=2, default=0, max_digits=9),
                ),
                ("currency", models.CharField(default="EUR", max_length=3)),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "refunded",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=9, null=True
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="booked_seats",
                        to="seats.booking",
                    ),
                ),
                (
                    "seat",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="seats.seat",
                    ),
                ),
            ],
            options={
                "ordering": ["booking_id", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("cancelled_at__isnull", True),
                                ("refunded__isnull", True),
                            ),
                            models.Q(
                                ("cancelled_at__isnull", False),
                                ("refunded__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="booked_seat_cancelled_with_refund",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_booked_seats, migrations.RunPython.noop),
    ]
