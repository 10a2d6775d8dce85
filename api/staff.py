"""Staff-only JSON endpoints: block, unblock, release now, keep seats for
someone, sell, cancel, per-seat history, the event report and the bookings
export.

A staff session is the only way in (anyone else: 403, nothing changes), and
CSRF stays on for every POST. Every change goes through
`seats.services.staff` (or `cancel_booking`) under the staff member's
username, so it is logged and broadcast like any other. Failures are the
protocol's error documents: 400 for a bad request, 404 for unknown ids, 409
for seats whose state forbids it. docs/staff.md describes each endpoint.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from access import is_staff
from api.responses import json_response
from seats import reports, services
from seats.errors import (
    BadRequest,
    BookingNotFound,
    Busy,
    RequestError,
    SeatBlocked,
    SeatsHeld,
    SeatsUnavailable,
    UnknownSeat,
)
from seats.models import Event, Seat
from seats.services import staff
from seats.timefmt import iso
from seats.waiting import services as waiting
from wire import dashboard_frames, frames
from wire import staff as documents
from wire.requests import MAX_ID

# Seat states that forbid the action: the request was fine, the seats not.
CONFLICTS = (SeatsUnavailable, SeatsHeld, SeatBlocked)
MAX_SEATS = 5000

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """403 (as JSON) for anyone but an active staff user; errors as documents."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff(request.user):
            return json_response(dashboard_frames.forbidden(), status=403)
        try:
            return view(request, *args, **kwargs)
        except (Event.DoesNotExist, Seat.DoesNotExist):
            return json_response(
                frames.error(BadRequest("No such event or seat.")), 404
            )
        except (BookingNotFound, UnknownSeat) as missing:
            return json_response(frames.error(missing), status=404)
        except Busy as busy:  # a lock held elsewhere: try again shortly
            return json_response(frames.error(busy), status=503)
        except RequestError as failure:
            status = 409 if isinstance(failure, CONFLICTS) else 400
            return json_response(frames.error(failure), status=status)

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nested deeper than the parser goes ([[[[…).
        raise BadRequest("The body is not JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = body.get(name, "")
    if (
        not isinstance(value, str)
        or not _storable(value)
        or (required and not value.strip())
    ):
        raise BadRequest(
            f"`{name}` must be {'a non-empty' if required else 'a'} string."
        )
    return value


def _storable(value: str) -> bool:
    """Text a database keeps: no NUL (PostgreSQL refuses it) and no lone
    surrogate such as JSON's "\\ud800" (not encodable as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BadRequest(f"`{name}` must be true or false.")
    return value


def _seat_ids(body: dict[str, Any]) -> list[int]:
    ids = body.get("seat_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > MAX_SEATS
        or not all(type(i) is int and 0 < i <= MAX_ID for i in ids)
    ):
        raise BadRequest(f"`seat_ids` must be a list of 1 to {MAX_SEATS} seat ids.")
    return ids


def _selection(event_id: int, body: dict[str, Any]) -> list[int]:
    """`seat_ids`, or a zone (`section`) or a row (`row`, within `section`)."""
    if "seat_ids" in body:
        return _seat_ids(body)
    section = body.get("section")
    row = body.get("row")
    if section is None and row is None:
        raise BadRequest("Name `seat_ids`, a `section`, or a `row`.")
    for name, value in (("section", section), ("row", row)):
        if value is not None and (not isinstance(value, str) or not _storable(value)):
            raise BadRequest(f"`{name}` must be a string.")
    ids = reports.seats_in(event_id=event_id, section=section, row=row)
    if not ids:
        raise BadRequest("No seats match that row or zone.")
    return ids


def _username(request: HttpRequest) -> str:
    return request.user.get_username()


@require_POST
@staff_only
def block(request: HttpRequest, event_id: int) -> HttpResponse:
    body = _body(request)
    done = staff.block_seats(
        event_id=event_id,
        seat_ids=_selection(event_id, body),
        reason=_text(body, "reason", required=True),
        release_holds=_flag(body, "release_holds"),
        staff=_username(request),
    )
    return json_response(documents.done("blocked", done))


@require_POST
@staff_only
def unblock(request: HttpRequest, event_id: int) -> HttpResponse:
    body = _body(request)
    done = staff.unblock_seats(
        event_id=event_id,
        seat_ids=_selection(event_id, body),
        staff=_username(request),
    )
    return json_response(documents.done("unblocked", done))


@require_POST
@staff_only
def release(request: HttpRequest, event_id: int) -> HttpResponse:
    """These seats' holds (`seat_ids`), or one holder's whole hold (`holder`)."""
    body = _body(request)
    if "holder" in body:
        done = staff.release_now(
            event_id=event_id,
            holder=_text(body, "holder", required=True),
            staff=_username(request),
        )
    else:
        done = staff.release_now(
            event_id=event_id, seat_ids=_seat_ids(body), staff=_username(request)
        )
    return json_response(documents.done("released", done))


@require_POST
@staff_only
def keep(request: HttpRequest, event_id: int) -> HttpResponse:
    """Keep seats for a named person (`held_for`) until `until`."""
    body = _body(request)
    kept = staff.keep_seats(
        event_id=event_id,
        seat_ids=_seat_ids(body),
        held_for=_text(body, "held_for", required=True),
        until=_local_time(body.get("until"), "until"),
        staff=_username(request),
    )
    return json_response(documents.kept(kept))


def _local_time(value: object, name: str) -> datetime:
    """An ISO 8601 time; without an offset (a datetime-local field's
    `2026-12-24T18:30`), on the site's clock (TIME_ZONE)."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day or hour
        moment = None
    if moment is None:
        raise BadRequest(f"`{name}` must be a date and time, e.g. 2026-12-24T18:30.")
    if moment.tzinfo is None:
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):
            raise BadRequest(f"`{name}` is not a time on the site's clock.") from None
    return moment


@require_POST
@staff_only
def sell(request: HttpRequest, event_id: int) -> HttpResponse:
    body = _body(request)
    sold = staff.sell_at_box_office(
        event_id=event_id,
        seat_ids=_seat_ids(body),
        customer_name=_text(body, "customer_name", required=True),
        customer_email=_text(body, "customer_email"),
        payment_note=_text(body, "payment_note"),
        include_blocked=_flag(body, "include_blocked"),
        staff=_username(request),
    )
    url = reverse("box-office-confirmation", args=[sold.reference])
    return json_response(documents.sold(sold, url))


@require_POST
@staff_only
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """The whole booking, or only `seat_ids` of it."""
    body = _body(request)
    seat_ids = _seat_ids(body) if "seat_ids" in body else None
    booking = services.cancel_booking(
        reference=reference, seat_ids=seat_ids, staff=_username(request)
    )
    return json_response(documents.cancelled(booking))


@require_POST
@staff_only
def cancel_seats(request: HttpRequest, event_id: int) -> HttpResponse:
    """Booked seats out of their bookings (the box office's "Cancel sale")."""
    body = _body(request)
    seat_ids = _seat_ids(body)
    staff.cancel_seats(event_id=event_id, seat_ids=seat_ids, staff=_username(request))
    return json_response(documents.done("cancelled_seats", seat_ids))


@require_GET
@staff_only
def seat_history(request: HttpRequest, event_id: int, seat_id: int) -> HttpResponse:
    history = reports.seat_history(event_id=event_id, seat_id=seat_id)
    return json_response(documents.seat_history(history))


@require_GET
@staff_only
def report(request: HttpRequest, event_id: int) -> HttpResponse:
    return json_response(
        documents.event_report(reports.event_report(event_id=event_id))
    )


# Waiting room settings staff may send, with their bounds.
ROOM_NUMBERS = {
    "rate_per_minute": (0, 10_000),
    "max_admitted": (1, 1_000_000),
    "shopping_seconds": (30, 24 * 3600),
}


@staff_only
def waiting_room(request: HttpRequest, event_id: int) -> HttpResponse:
    """GET: the room's figures. POST: change its settings (any of
    `enabled`, `paused`, `opens_at`, `rate_per_minute`, `max_admitted`,
    `shopping_seconds`); the room is made on first use."""
    if request.method == "POST":
        body = _body(request)
        settings: dict[str, Any] = {}
        for name in ("enabled", "paused"):
            if name in body:
                settings[name] = _flag(body, name)
        for name, (low, high) in ROOM_NUMBERS.items():
            if name in body:
                value = body[name]
                if type(value) is not int or not low <= value <= high:
                    raise BadRequest(f"`{name}` must be a whole number {low}..{high}.")
                settings[name] = value
        if "opens_at" in body:
            settings["opens_at"] = _time(body["opens_at"])
        waiting.configure(event_id=event_id, **settings)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    stats = waiting.stats(event_id=event_id)
    if stats is None:
        Event.objects.only("id").get(pk=event_id)
    return json_response(documents.waiting_room(event_id, stats))


def _time(value: object) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise BadRequest("`opens_at` must be an ISO 8601 time with its offset.")
    return moment


CSV_COLUMNS = [
    "reference",
    "created_at",
    "channel",
    "customer_name",
    "customer_email",
    "seats",
    "categories",
    "prices",
    "total",
    "cancelled_at",
    "sold_by",
    "payment_note",
    # Seats cancelled out of the booking, each with its time and refund, in
    # the same order; a whole cancelled booking lists them all here too.
    "cancelled_seats",
    "cancelled_seat_times",
    "refunds",
    "refunded_total",
]


@require_GET
@staff_only
def bookings_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    """Every booking of the event, one line each (seats joined by spaces)."""
    Event.objects.only("id").get(pk=event_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in reports.bookings_of(event_id):
        writer.writerow(
            [
                _cell(line.reference),
                iso(line.created_at),
                _cell(line.channel),
                _cell(line.customer_name),
                _cell(line.customer_email),
                # Labels and codes come from imported plans: never trusted.
                _cell(" ".join(label for label, _, _ in line.seats)),
                _cell(" ".join(code for _, code, _ in line.seats)),
                " ".join(f"{price:.2f}" for _, _, price in line.seats),
                f"{sum(price for _, _, price in line.seats):.2f}",
                iso(line.cancelled_at) or "",
                _cell(line.sold_by),
                _cell(line.payment_note),
                _cell(" ".join(s.label for s in line.cancelled_seats)),
                " ".join(iso(s.cancelled_at) or "" for s in line.cancelled_seats),
                " ".join(f"{s.refunded or 0:.2f}" for s in line.cancelled_seats),
                f"{line.refunded:.2f}",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="event-{event_id}-bookings.csv"'
    )
    return response


def _cell(text: str) -> str:
    """No formula injection: a cell a spreadsheet would run is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
