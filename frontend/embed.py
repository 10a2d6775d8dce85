"""The embedded seat map's HTTP side: where a widget starts, and its module.

`GET /embed/v1/events/<id>/start?key=pk_…&lang=de&visitor=<token>` is the
first call of `<seat-map>` on a shop's page (another origin): it checks the
key, the page's `Origin` and the event (embed.access), gives the widget its
visitor (embed.visitors: a session made for it, named by the token) and
the map's markup in the asked language, and says where the socket is.
Every answer, refusals included, lets the calling origin read it and is
never cached; a refusal is a problem document whose `code` the widget
shows. It is a GET that creates only a visitor session, so it needs no
CSRF token. `GET /embed/v1/seat-map.js` is the module a shop imports; it
forwards to the static file, so shops keep one stable URL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from embed import access, visitors
from frontend.catalogue import language_for
from frontend.views import map_context
from seats.models import Event
from seats.timefmt import iso
from seats.waiting import services as waiting
from wire import frames, rest

PROBLEM_TYPE = "application/problem+json"
MODULE_PATH = "frontend/embed/seat-map.js"
MODULE_MAX_AGE = 300


def _for_the_widget(response: HttpResponse, origin: str | None) -> HttpResponse:
    # The calling page may read the answer, refusals included; nothing is kept.
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _json(document: object, status: int = 200, content_type: str = "") -> HttpResponse:
    return HttpResponse(
        frames.dumps(document),
        status=status,
        content_type=content_type or "application/json",
    )


@require_safe
def start(request: HttpRequest, event_id: str) -> HttpResponse:
    origin = request.headers.get("Origin")
    # A malformed id names no event; it is refused after the key and origin.
    number = int(event_id) if event_id.isascii() and event_id.isdigit() else 0
    try:
        key = access.resolve(request.GET.get("key"), origin, number)
    except access.EmbedRefused as refused:
        document = rest.problem(refused.status, refused.code, refused.detail)
        return _for_the_widget(_json(document, refused.status, PROBLEM_TYPE), origin)
    event = Event.objects.get(pk=number)
    _, token = visitors.visitor_session(key, request.GET.get("visitor") or None)
    lang = language_for(request.GET.get("lang"))
    with translation.override(lang):
        html = render_to_string(
            "frontend/seatmap_layout.html",
            {**map_context(event, box_office=False, presale_open=False), "embed": True},
        )
    answer: dict[str, Any] = {
        "visitor": token,
        "socket": f"/ws/embed/v1/events/{event.id}/",
        "event": {
            "id": event.id,
            "name": event.name,
            "starts_at": iso(event.starts_at),
        },
        "hold_seconds": settings.SEAT_HOLD_SECONDS,
        "max_per_holder": settings.SEAT_MAX_PER_HOLDER,
        "checkout_url": event.checkout_url or None,
        "waiting_room": waiting.active_room(event.id) is not None,
        "seat_map_url": request.build_absolute_uri(
            reverse("seat-map", args=[event.id])
        ),
        "lang": lang,
        "html": html,
    }
    return _for_the_widget(_json(answer), origin)


@require_safe
def seat_map_module(request: HttpRequest) -> HttpResponse:
    """The widget's stable URL: re-exports the static module (and runs it,
    so the element is defined)."""
    target = f"{settings.STATIC_URL}{MODULE_PATH}"
    response = HttpResponse(
        f"export * from '{target}';\nimport '{target}';\n",
        content_type="text/javascript",
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={MODULE_MAX_AGE}"
    return response
