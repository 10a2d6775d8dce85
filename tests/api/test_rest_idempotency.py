"""Idempotency-Key: a retried POST gets the first answer, never a second sale;
and the per-key rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.keys import create_key, revoke
from api.models import ApiKey, IdempotencyRecord
from api.v1.idempotency import MAX_KEY_LENGTH
from seats.errors import Busy
from seats.models import Booking, Event, Hold
from seats.services import tokens
from tests.api.rest import Api, problem

pytestmark = pytest.mark.django_db

REPLAYED = "Idempotent-Replayed"


def key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def version(event_id: int) -> int:
    return Event.objects.values_list("version", flat=True).get(pk=event_id)


def best(count: int = 1) -> dict:
    return {"best": {"count": count}}


def hold_best(api: Api, event_id: int, idempotency_key: str | None, count: int = 1):
    headers = key(idempotency_key) if idempotency_key is not None else None
    return api.post(
        "/events/{event_id}/holds", best(count), event_id=event_id, headers=headers
    )


def test_a_retried_hold_gets_the_first_answer_and_holds_once(shop, event):
    first = hold_best(shop, event.id, "order-1")
    again = hold_best(shop, event.id, "order-1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert REPLAYED not in first
    assert again[REPLAYED] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert Hold.objects.count() == 1
    assert version(event.id) == 1


def test_without_the_header_a_retry_is_a_second_request(shop, event):
    first = hold_best(shop, event.id, None)
    again = hold_best(shop, event.id, None)

    assert first.json()["token"] != again.json()["token"]
    assert Hold.objects.count() == 2


def test_a_retried_booking_gets_the_first_answer_and_books_once(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:2])
    body = {"hold_token": token, "external_reference": "order-9"}

    first = shop.post("/bookings", body, headers=key("pay-9"))
    again = shop.post("/bookings", body, headers=key("pay-9"))

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again[REPLAYED] == "true"
    assert Booking.objects.count() == 1
    # Without the key the retry would have hit a spent token.
    problem(shop.post("/bookings", body), 404, "hold_not_found")


@pytest.mark.parametrize(
    "template", ["/holds/{token}/extend", "/holds/{token}/release"], ids=str
)
def test_other_posts_are_replayed_too(shop, event, seat_ids, template):
    token = shop.hold_token(event.id, seat_ids[:2])
    body = {"seat_ids": seat_ids[:1]}

    first = shop.post(template, body, token=token, headers=key("k"))
    at = version(event.id)
    again = shop.post(template, body, token=token, headers=key("k"))

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again[REPLAYED] == "true"
    assert version(event.id) == at


def test_the_same_key_with_another_body_is_422(shop, event):
    hold_best(shop, event.id, "order-1", count=1)

    response = hold_best(shop, event.id, "order-1", count=2)

    problem(response, 422, "idempotency_key_reused")
    assert REPLAYED not in response
    assert Hold.objects.count() == 1


def test_the_same_key_on_another_route_is_422(shop, event, seat_ids):
    token = shop.hold_token(event.id, seat_ids[:1])
    shop.post("/holds/{token}/extend", token=token, headers=key("k"))

    response = shop.post("/holds/{token}/release", {}, token=token, headers=key("k"))

    problem(response, 422, "idempotency_key_reused")
    assert shop.get("/holds/{token}", token=token).status_code == 200


def test_keys_belong_to_one_api_key(shop, event):
    _, plain = create_key("second shop", ApiKey.Scope.SELL)
    other = Api(plain)

    mine = hold_best(shop, event.id, "order-1")
    theirs = hold_best(other, event.id, "order-1")

    assert mine.status_code == theirs.status_code == 201
    assert REPLAYED not in theirs
    assert mine.json()["token"] != theirs.json()["token"]
    assert Hold.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


def test_a_refusal_is_replayed_as_it_was(shop, event, seat_ids):
    blocker = shop.hold_token(event.id, seat_ids[:1])
    first = shop.hold(event.id, seat_ids[:2], headers=key("order-1"))
    problem(first, 409, "seats_unavailable")
    shop.delete("/holds/{token}", token=blocker)

    # The seats are free now, but the answer to this request was given.
    again = shop.hold(event.id, seat_ids[:2], headers=key("order-1"))

    assert problem(again, 409, "seats_unavailable") == first.json()
    assert again[REPLAYED] == "true"
    assert not Hold.objects.exists()


def test_a_401_is_not_kept(shop, sell_key, event):
    api_key, plain = sell_key
    nobody = Api("sk_00000000_" + "A" * 43)

    problem(hold_best(nobody, event.id, "order-1"), 401, "unauthorized")
    assert not IdempotencyRecord.objects.exists()

    response = hold_best(shop, event.id, "order-1")
    assert response.status_code == 201
    assert REPLAYED not in response


def test_a_revoked_key_gets_401_not_its_old_answers(sell_key, event):
    api_key, plain = sell_key
    shop = Api(plain)
    hold_best(shop, event.id, "order-1")
    revoke(api_key)

    response = hold_best(shop, event.id, "order-1")

    problem(response, 401, "unauthorized")
    assert REPLAYED not in response


def test_a_403_is_not_kept(reader, event):
    problem(hold_best(reader, event.id, "order-1"), 403, "forbidden")

    assert not IdempotencyRecord.objects.exists()


def test_a_busy_answer_is_not_kept_so_the_retry_really_runs(
    shop, event, seat_ids, monkeypatch
):
    token = shop.hold_token(event.id, seat_ids[:1])
    real = tokens.extend

    def busy(*args, **kwargs):
        raise Busy()

    monkeypatch.setattr(tokens, "extend", busy)
    first = shop.post("/holds/{token}/extend", token=token, headers=key("k"))
    problem(first, 503, "busy")
    assert first["Retry-After"] == "1"
    assert not IdempotencyRecord.objects.exists()

    monkeypatch.setattr(tokens, "extend", real)
    again = shop.post("/holds/{token}/extend", token=token, headers=key("k"))
    assert again.status_code == 200
    assert REPLAYED not in again


def test_a_retry_while_the_first_still_runs_is_told_to_wait(shop, event):
    hold_best(shop, event.id, "order-1")
    # As the record looks while the first request is still running.
    IdempotencyRecord.objects.update(status=0, body="", content_type="")

    response = hold_best(shop, event.id, "order-1")

    problem(response, 409, "idempotency_key_in_use")
    assert response["Retry-After"] == "1"
    assert Hold.objects.count() == 1


def test_a_key_up_to_255_characters_is_taken(shop, event):
    response = hold_best(shop, event.id, "k" * MAX_KEY_LENGTH)

    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().key == "k" * MAX_KEY_LENGTH


def test_a_key_over_255_characters_is_422_and_nothing_runs(shop, event):
    response = hold_best(shop, event.id, "k" * (MAX_KEY_LENGTH + 1))

    problem(response, 422, "bad_request")
    assert not Hold.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_records_are_forgotten_after_their_time(shop, event, settings):
    first = hold_best(shop, event.id, "order-1")
    IdempotencyRecord.objects.update(
        created_at=timezone.now()
        - timedelta(seconds=settings.SEAT_IDEMPOTENCY_SECONDS + 1)
    )

    again = hold_best(shop, event.id, "order-1")

    assert again.status_code == 201
    assert REPLAYED not in again
    assert again.json()["token"] != first.json()["token"]
    assert Hold.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_records_within_their_time_are_kept(shop, event, settings):
    hold_best(shop, event.id, "order-1")
    IdempotencyRecord.objects.update(
        created_at=timezone.now()
        - timedelta(seconds=settings.SEAT_IDEMPOTENCY_SECONDS - 60)
    )

    again = hold_best(shop, event.id, "order-1")

    assert again[REPLAYED] == "true"
    assert Hold.objects.count() == 1


def test_gets_ignore_the_header(shop, event):
    first = shop.get("/events", headers=key("k"))
    again = shop.get("/events", headers=key("k"))

    assert REPLAYED not in again
    assert first.status_code == again.status_code == 200
    assert not IdempotencyRecord.objects.exists()


# The per-key rate limit.


@pytest.fixture
def rate_limited(no_api_rate_limit):
    """A burst of 3, then (almost) nothing: the 4th quick request is refused."""
    settings = no_api_rate_limit
    settings.SEAT_API_REQUESTS_PER_SECOND = 0.01
    settings.SEAT_API_REQUEST_BURST = 3
    return settings


def test_the_fourth_quick_request_is_429(rate_limited, shop, event):
    for _ in range(3):
        assert shop.get("/events").status_code == 200

    response = shop.get("/events")

    problem(response, 429, "rate_limited")
    retry_after = response["Retry-After"]
    assert retry_after.isdigit() and int(retry_after) >= 1


def test_another_key_is_not_limited_by_the_first(rate_limited, shop, reader, event):
    for _ in range(4):
        shop.get("/events")
    problem(shop.get("/events"), 429, "rate_limited")

    assert all(reader.get("/events").status_code == 200 for _ in range(3))


def test_a_limited_post_is_not_kept_for_the_retry(rate_limited, shop, event):
    for _ in range(3):
        shop.get("/events")

    problem(hold_best(shop, event.id, "order-1"), 429, "rate_limited")

    assert not IdempotencyRecord.objects.exists()
    assert not Hold.objects.exists()


def test_refused_keys_spend_nothing(rate_limited, sell_key, event):
    nobody = Api("sk_00000000_" + "A" * 43)
    for _ in range(5):
        problem(nobody.get("/events"), 401, "unauthorized")

    _, plain = sell_key
    assert all(Api(plain).get("/events").status_code == 200 for _ in range(3))


def test_replays_count_against_the_rate_limit_too(rate_limited, shop, event):
    first = hold_best(shop, event.id, "order-1")
    assert first.status_code == 201
    assert hold_best(shop, event.id, "order-1")[REPLAYED] == "true"
    assert hold_best(shop, event.id, "order-1")[REPLAYED] == "true"

    problem(hold_best(shop, event.id, "order-1"), 429, "rate_limited")
    assert Hold.objects.count() == 1
