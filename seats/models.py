"""Events, seats, holds, bookings and the activity log.

A seat's status is derived, never stored: booked when it has a booking,
blocked when staff took it out of sale, held when its `held_until` lies in the
future, available otherwise. A hold whose
time has passed is therefore free in every read and every check, whether or
not the sweeper has tidied it up yet.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Case, Q, QuerySet, Value, When


class SeatStatus(models.TextChoices):
    """What a seat is at a given moment; derived from its row, never stored.

    New statuses are added here, in `status_of` and in `status_q`, and
    nowhere else.
    """

    AVAILABLE = "available"
    HELD = "held"
    BOOKED = "booked"
    BLOCKED = "blocked"  # out of sale by staff (house seats, a broken seat)


def status_of(
    *,
    booking_id: int | None,
    held_until: datetime | None,
    now: datetime,
    blocked: bool = False,
) -> SeatStatus:
    """The one rule: booked beats blocked beats held, and a hold counts only
    until its time. (A blocked seat has neither a hold nor a booking: the
    seat's check constraint says so; the order is for safety.)"""
    if booking_id is not None:
        return SeatStatus.BOOKED
    if blocked:
        return SeatStatus.BLOCKED
    if held_until is not None and held_until > now:
        return SeatStatus.HELD
    return SeatStatus.AVAILABLE


def status_q(status: SeatStatus, now: datetime, *, via: str = "") -> Q:
    """`status_of` as SQL: seats (reached through the relation `via`) in `status`."""
    booked = Q(**{f"{via}booking__isnull": False})
    blocked = Q(**{f"{via}booking__isnull": True, f"{via}blocked": True})
    held = Q(
        **{
            f"{via}booking__isnull": True,
            f"{via}blocked": False,
            f"{via}held_until__gt": now,
        }
    )
    if status is SeatStatus.BOOKED:
        return booked
    if status is SeatStatus.BLOCKED:
        return blocked
    if status is SeatStatus.HELD:
        return held
    return ~booked & ~blocked & ~held


class SeatingPlan(models.Model):
    """A venue's seating plan, stored once; events are made from it.

    `document` is the plan in our own JSON format (plans.native), the
    source for exports and for new events; `areas` are its drawn shapes as
    the snapshot sends them, and `standing` its standing areas (name,
    capacity, category and outline: `plans.document.standing_record`). Seat
    state never lives here: each event has its own seat rows, matched to the
    plan's seats by `Seat.key`; a standing area's places are seat rows too.
    """

    name = models.CharField(max_length=200)
    document = models.JSONField()
    areas = models.JSONField(default=list, blank=True)
    standing = models.JSONField(default=list, blank=True)
    tables = models.JSONField(default=list, blank=True)
    width = models.FloatField(default=0)
    height = models.FloatField(default=0)
    seat_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size_text()})"

    def size_text(self) -> str:
        """ "515 seats", or "72 seats and 800 standing places"."""
        standing = sum(int(a.get("capacity", 0)) for a in self.standing or ())
        seats = f"{self.seat_count - standing} seats"
        return f"{seats} and {standing} standing places" if standing else seats


class BuyerDetails(models.TextChoices):
    """What a booking of the event must say about its buyer (name, email)."""

    NONE = "none", "not asked"
    OPTIONAL = "optional", "asked, may be left out"
    REQUIRED = "required", "required"


class Event(models.Model):
    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    # The plan the seats were made from; None for venues built in code.
    plan = models.ForeignKey(
        SeatingPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    # Refuse holds and releases that would leave one free seat between two
    # taken ones in a row (seats.rules).
    avoid_single_seats = models.BooleanField(default=True)
    # The shop's checkout page: "Continue to checkout" sends the browser
    # there with its hold token (docs/integration.md). Empty: no button.
    checkout_url = models.URLField(max_length=500, blank=True)
    # Whether Book asks for the buyer's name and email (seats.services.buyers);
    # a given email is always checked, a missing one refused only if required.
    buyer_details = models.CharField(
        max_length=8, choices=BuyerDetails.choices, default=BuyerDetails.NONE
    )
    # Bumped by exactly 1 in the transaction of every announced change, so
    # clients can spot a missed message.
    version = models.PositiveBigIntegerField(default=0)
    # Bumped when the seats' places, labels or flags change (a new plan): the
    # layout document (seats.layouts) is built once per layout version.
    layout_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.name


class SalesChannelQuerySet(QuerySet["SalesChannel"]):
    def active_at(self, now: datetime) -> SalesChannelQuerySet:
        """Still keeping its seats at `now`."""
        return self.filter(channel_active_q(now))


def channel_active_q(now: datetime, *, via: str = "") -> Q:
    """Channels (reached through the relation `via`) still keeping their
    seats at `now`: no `releases_at`, or one still ahead."""
    return Q(**{f"{via}releases_at__isnull": True}) | Q(
        **{f"{via}releases_at__gt": now}
    )


def channel_active(releases_at: datetime | None, now: datetime) -> bool:
    """`channel_active_q` for one channel: time decides, not a job."""
    return releases_at is None or releases_at > now


class SalesChannel(models.Model):
    """Seats of one event kept for someone: a presale, a partner, house seats.

    A seat with a `channel` (Seat.channel) is not on sale to anyone who has
    not unlocked the channel, until `releases_at` (if set), after which it
    is an ordinary seat again: judged at every check, so nothing has to run
    at that moment. Unlocking is by access code (presales), by an API key
    of the channel (api.ApiKey.channel) or by staff at the box office.

    `code_digest` is an HMAC-SHA256 under the SECRET_KEY of the normalised
    code (presales.codes): the code itself is shown once, when set. Not to
    be confused with `Booking.channel` (web, box office, API: where a sale
    was made).
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sales_channels"
    )
    name = models.CharField(max_length=80)
    # Looked up by (event, digest): the unique constraint's index.
    code_digest = models.CharField(max_length=64)
    releases_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = SalesChannelQuerySet.as_manager()

    class Meta:
        ordering = ["event_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "name"], name="sales_channel_name_per_event"
            ),
            # One code opens one channel of an event.
            models.UniqueConstraint(
                fields=["event", "code_digest"], name="sales_channel_code_per_event"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, now: datetime) -> bool:
        return channel_active(self.releases_at, now)


class PriceCategory(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    price = models.DecimalField(max_digits=9, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # How the map draws the category's seats (CSS colour); empty: the default.
    color = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-price", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"], name="category_code_per_event"
            )
        ]
        verbose_name_plural = "price categories"

    def __str__(self) -> str:
        return f"{self.name} ({self.price} {self.currency})"


class HoldQuerySet(QuerySet["Hold"]):
    def running_at(self, now: datetime) -> HoldQuerySet:
        return self.filter(expires_at__gt=now)

    def running_for(self, event_id: int, holder: str, now: datetime) -> HoldQuerySet:
        """The holder's running hold(s) on the event, latest expiry first."""
        return (
            self.running_at(now)
            .filter(event_id=event_id, holder=holder)
            .order_by("-expires_at")
        )


class Hold(models.Model):
    """One holder's seats of one event, sharing one expiry.

    At most one row per holder and event, enforced by the database: every
    hold request claims (or creates) that row under lock before it counts
    the holder's seats, so two workers cannot both grant the per-holder
    limit. A row whose time has passed is started afresh by the next hold.
    """

    # Every hold and release writes this table's and the seats' indexes: an
    # index nothing reads costs every click (docs/architecture.md, "Indexes").
    # Unique as a constraint, not `unique=True`, which on PostgreSQL adds a
    # second, pattern-matching index that token lookups never use.
    token = models.CharField(max_length=32)
    # Not indexed alone: the (event, holder) constraint's index starts with it.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="holds", db_index=False
    )
    holder = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    # Extensions never move expires_at past this.
    max_expires_at = models.DateTimeField()
    # Seats the box office keeps for a named person ("Mrs Smith, phoning
    # back"); empty for every other hold. Staff only: never on the wire to
    # the public map. A default in the database too, for the statements
    # and stored functions that insert holds without naming it.
    held_for = models.CharField(max_length=200, blank=True, default="", db_default="")

    objects = HoldQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "holder"], name="one_hold_per_holder_per_event"
            ),
            models.UniqueConstraint(fields=["token"], name="one_hold_per_token"),
        ]

    def __str__(self) -> str:
        return f"hold {self.token} by {self.holder}"

    def is_active(self, now: datetime) -> bool:
        return self.expires_at > now


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


class Activity(models.Model):
    """One row per seat per state change: the audit trail and the dashboard feed."""

    class Kind(models.TextChoices):
        HELD = "held"
        RELEASED = "released"
        EXPIRED = "expired"
        EXTENDED = "extended"
        BOOKED = "booked"
        CANCELLED = "cancelled"  # a booking cancelled: its seats are free again
        BLOCKED = "blocked"  # taken out of sale by staff
        UNBLOCKED = "unblocked"  # back on sale

    # Not indexed alone: activity_by_version starts with it. Neither key is
    # a database constraint: every change writes its rows in the transaction
    # that locked the seats they name, and checking each row again at commit
    # was about a tenth of PostgreSQL's time per click. Deletes still
    # cascade (Django does that).
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="activity",
        db_index=False,
        db_constraint=False,
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="activity", db_constraint=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    holder = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)
    # The event version of the change that wrote this row.
    version = models.PositiveBigIntegerField()
    # The staff member who made the change, if staff did (username).
    staff = models.CharField(max_length=150, blank=True, default="")
    # What staff said (a block's reason, a box office sale's payment note).
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "activity"
        # A worker that missed a change reads it back by version (seats.catchup).
        indexes = [
            models.Index(fields=["event", "version"], name="activity_by_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.seat_id} by {self.holder}"


class ServingProcess(models.Model):
    """A serving process that is alive as long as it beats.

    Holds of sockets without a session belong to their connection, and a
    connection's holder names its process (seats.holders). When a process
    dies without closing its sockets (killed, out of memory, its machine
    gone), its beat stops, and the sweeper frees those holds
    (services.orphans) instead of leaving them until they expire.
    """

    key = models.CharField(max_length=16, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"process {self.key} (beat {self.beat_at.isoformat()})"


# Webhook endpoints and the outbox live in their own module; imported here so
# Django finds them as models of this app.
from seats.outbox.models import WebhookDelivery, WebhookEndpoint  # noqa: E402
from seats.waiting.models import Place, WaitingRoom  # noqa: E402

__all__ = [
    "Activity",
    "BookedSeat",
    "Booking",
    "BuyerDetails",
    "Event",
    "Hold",
    "Place",
    "PriceCategory",
    "SalesChannel",
    "Seat",
    "SeatStatus",
    "SeatingPlan",
    "ServingProcess",
    "WaitingRoom",
    "WebhookDelivery",
    "WebhookEndpoint",
    "channel_active",
    "channel_active_q",
    "status_of",
    "status_q",
]
