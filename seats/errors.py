"""Errors are values with codes: the stable `code` for clients, text for people."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class RequestError(Exception):
    """A request refused: whatever the edge (socket, REST, staff views), it
    answers with `code` and `message`, and nothing changed."""

    code = "request_error"
    default_message = "The request could not be carried out."

    def __init__(self, message: str | None = None, *, seat_ids: Iterable[int] = ()):
        self.message = message or self.default_message
        self.seat_ids = sorted(set(seat_ids))
        super().__init__(self.message)


class SeatError(RequestError):
    """Refused because of the seats' state or the seat rules; `seat_ids` names them."""

    code = "seat_error"


class SeatsUnavailable(SeatError):
    code = "seats_unavailable"
    default_message = "Some of these seats were just taken by someone else."

    @classmethod
    def naming(cls, taken: Sequence[tuple[int, str, bool]]) -> SeatsUnavailable:
        """The refusal naming these `(id, label, blocked)` seats: not on sale
        if all are blocked, else taken by someone else."""
        labels = ", ".join(label for _, label, _ in taken)
        if all(blocked for _, _, blocked in taken):
            text = (
                f"Seat {labels} is not on sale."
                if len(taken) == 1
                else f"Seats {labels} are not on sale."
            )
        elif len(taken) == 1:
            text = f"Seat {labels} was just taken by someone else."
        else:
            text = f"Seats {labels} were just taken by someone else."
        return cls(text, seat_ids=[sid for sid, _, _ in taken])


class NotHolder(SeatError):
    code = "not_holder"
    default_message = "You do not hold these seats."


class HoldExpired(SeatError):
    code = "hold_expired"
    default_message = "Your hold on these seats has expired."


class TooManySeats(SeatError):
    code = "too_many_seats"
    default_message = "That is more seats than one person may hold."


class ExtendLimit(SeatError):
    code = "extend_limit"
    default_message = "Your hold is already at its maximum length."


class UnknownSeat(SeatError):
    code = "unknown_seat"
    default_message = "There is no such seat for this event."


class NoAdjacentSeats(SeatError):
    code = "no_adjacent_seats"
    default_message = "There are no seats together like that any more."


class SingleSeatLeft(SeatError):
    """The request would strand a free seat between taken ones (seats.rules)."""

    code = "single_seat_left"
    default_message = (
        "That would leave a single seat on its own: choose seats next to each other."
    )


class CompanionSeat(SeatError):
    """A companion seat held without its wheelchair space, or left behind."""

    code = "companion_seat"
    default_message = (
        "A companion seat can only be held together with its wheelchair space."
    )


class NoAccessibleSeats(SeatError):
    code = "no_accessible_seats"
    default_message = (
        "There is no free wheelchair space with enough free companion seats left."
    )


class WholeTable(SeatError):
    """Part of a table that is sold whole, taken or freed without the rest."""

    code = "whole_table"
    default_message = "This table is sold whole: hold or release all its seats."


class NotEnoughPlaces(SeatError):
    """A standing area has fewer free places than asked for."""

    code = "not_enough_places"
    default_message = "There are not that many places left in this standing area."


class CheckoutRequired(RequestError):
    """The event is sold through its shop: only the shop books, after payment."""

    code = "checkout_required"
    default_message = (
        "This event is sold through its shop: continue to checkout to pay for "
        "your seats."
    )


class EmbedCannotBook(RequestError):
    """A seat map embedded in a shop's page never books: the shop does, once paid."""

    code = "embed_cannot_book"
    default_message = "Seats are booked by the shop after payment."


class NoHold(RequestError):
    """The hand-off to a shop asked for, but the visitor holds no seats now."""

    code = "no_hold"
    default_message = "You hold no seats now: pick seats first."


class SeatsHeld(SeatError):
    """Staff asked to block or sell seats in a customer's running hold."""

    code = "seats_held"
    default_message = "These seats are in a customer's hold; release it first."


class SeatBlocked(SeatError):
    """A box office sale of blocked seats, not confirmed."""

    code = "seat_blocked"
    default_message = "These seats are blocked; confirm to sell them anyway."


class NotAdmitted(RequestError):
    """The event has a waiting room and this visitor is not admitted now."""

    code = "not_admitted"
    default_message = (
        "This sale has a waiting room: wait for your turn before you pick seats."
    )


class TooManyPlaces(RequestError):
    """The visitor's address already has as many waiting-room places as allowed."""

    code = "too_many_places"
    default_message = (
        "Too many places in this waiting room come from your network already. "
        "Use a browser that already has a place."
    )


class HoldNotFound(RequestError):
    """No running hold has this token: it never existed, or the hold ended."""

    code = "hold_not_found"
    default_message = (
        "There is no running hold with this token: it may have expired, "
        "been released or been booked."
    )


class BookingNotFound(RequestError):
    code = "booking_not_found"
    default_message = "There is no booking with this reference."


class BadRequest(RequestError):
    code = "bad_request"
    default_message = "The request was not understood."


class Busy(RequestError):
    code = "busy"
    default_message = (
        "These seats are busy with another request; nothing changed. "
        "Try again in a moment."
    )


class DatabaseTimeout(RequestError):
    """The database did not answer within SEAT_DB_CALL_TIMEOUT_SECONDS.

    Unlike `busy`, the outcome is unknown: the work may still commit after
    the reply went out. The seat map's next update (or heartbeat) says.
    """

    code = "timeout"
    default_message = (
        "The database did not answer in time. The request may still take "
        "effect: the seat map will show it. Try again in a moment."
    )


class RateLimited(RequestError):
    """Too many requests on one socket; `retry_after` says when to try again."""

    code = "rate_limited"
    default_message = "Too many requests; slow down and try again shortly."

    def __init__(self, retry_after: float, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(RequestError):
    """Not the client's fault: the request failed on our side and changed nothing."""

    code = "server_error"
    default_message = "Something went wrong on our side; nothing changed."


class PlanChangeRefused(SeatError):
    """The new plan lacks seats that are held or booked; `labels` names them."""

    code = "plan_change_refused"
    default_message = (
        "The new plan lacks seats that are held or booked; nothing changed."
    )

    def __init__(
        self, *, labels: Sequence[str], seat_ids: Iterable[int], event: str = ""
    ) -> None:
        self.labels = list(labels)
        self.event = event
        shown = ", ".join(self.labels[:20])
        more = len(self.labels) - 20
        if more > 0:
            shown += f" and {more} more"
        prefix = f"{event}: the" if event else "The"
        super().__init__(
            f"{prefix} new plan lacks {len(self.labels)} held or booked seat(s): "
            f"{shown}. Nothing changed.",
            seat_ids=seat_ids,
        )
