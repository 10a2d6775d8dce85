"""`Idempotency-Key` on every POST: a retry gets the first answer, not a second sale.

The first request with a key claims a record (its fingerprint: method,
path and body) before it runs, then stores its answer. A retry with the
same key and the same request gets that answer again, marked
`Idempotent-Replayed: true`; the same key with another request is refused
(422); a retry while the first still runs is told to wait (409). Keys are
per API key and kept SEAT_IDEMPOTENCY_SECONDS (a day). Answers that say
"try again" (401, 403, 429, 5xx) are not kept, so a retry really retries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone

from api.models import IdempotencyRecord
from api.v1 import problems, ratelimit
from api.v1.auth import request_key
from seats.errors import RateLimited

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Answers a retry should really retry.
_NOT_KEPT = {401, 403, 429}
# A claim still without an answer after this long was abandoned (its worker
# died, or storing the answer failed): the next retry takes it over.
ABANDONED_SECONDS = 60

View = Callable[..., HttpResponse]


def idempotent(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return view(request, *args, **kwargs)
        if not 1 <= len(key) <= MAX_KEY_LENGTH:
            return problems.problem(
                422,
                "bad_request",
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
            )
        api_key = request_key(request)
        if api_key is None:
            return view(request, *args, **kwargs)  # the view answers 401
        fingerprint = _fingerprint(request)
        record = _claim(api_key.pk, key, fingerprint)
        if record is not None:
            # Answered without the view: the key's rate limit counts it here.
            try:
                ratelimit.take(api_key.pk)
            except RateLimited as limited:
                return problems.from_request_error(limited)
            return _answer_for(record, fingerprint)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            _forget(api_key.pk, key)
            raise
        if response.status_code in _NOT_KEPT or response.status_code >= 500:
            _forget(api_key.pk, key)
        else:
            IdempotencyRecord.objects.filter(api_key_id=api_key.pk, key=key).update(
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content.decode(),
            )
        return response

    return wrapped


def idempotent_urls(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """The API's URL patterns with every view wrapped by `idempotent`."""
    patterns, app_name, namespace = urls
    _wrap(patterns)
    return patterns, app_name, namespace


def _wrap(patterns: list[Any]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _wrap(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = idempotent(problems.method_not_allowed(pattern.callback))


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, ""):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _claim(api_key_id: int, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """None if this request now owns the key; else the record that does."""
    now = timezone.now()
    expired = now - timedelta(seconds=settings.SEAT_IDEMPOTENCY_SECONDS)
    abandoned = now - timedelta(seconds=ABANDONED_SECONDS)
    IdempotencyRecord.objects.filter(api_key_id=api_key_id, key=key).filter(
        Q(created_at__lt=expired) | Q(status=0, created_at__lt=abandoned)
    ).delete()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                api_key_id=api_key_id, key=key, fingerprint=fingerprint, created_at=now
            )
        return None
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(
            api_key_id=api_key_id, key=key
        ).first()
        if existing is None:  # it finished and was forgotten meanwhile
            return _claim(api_key_id, key, fingerprint)
        return existing


def _answer_for(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return problems.problem(
            422,
            problems.IDEMPOTENCY_KEY_REUSED,
            f"This {HEADER} was used with another request.",
        )
    if record.status == 0:
        return problems.problem(
            409,
            problems.IDEMPOTENCY_KEY_IN_USE,
            f"A request with this {HEADER} is still running; retry shortly.",
            headers={"Retry-After": "1"},
        )
    response = HttpResponse(
        record.body, status=record.status, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _forget(api_key_id: int, key: str) -> None:
    IdempotencyRecord.objects.filter(api_key_id=api_key_id, key=key).delete()


def forget_expired(now: datetime) -> int:
    """Delete the records of keys past SEAT_IDEMPOTENCY_SECONDS: a key used
    again after that starts afresh anyway (`_claim`), and one never used
    again would otherwise stay for ever."""
    expired = now - timedelta(seconds=settings.SEAT_IDEMPOTENCY_SECONDS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=expired).delete()
    return deleted
