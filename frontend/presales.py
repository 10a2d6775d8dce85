"""Sales channels on the pages: the map's "Have a presale code?" form, and
the staff page that opens channels and keeps seats for them.

The code is checked on the server (presales.access: rate limited, every
attempt logged), and what it unlocks is kept in the session, where the
seat map's socket reads it when it opens: the page reloads after a code
works. Who is asking is the session's holder, never a field of the form.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from access import staff_required
from presales import access, staff
from presales.codes import client_key
from presales.selection import Selection
from seats.errors import RateLimited, RequestError
from seats.holders import holder_for_session, unlock_in_session
from seats.models import Event, SalesChannel
from seats.selectors import ChannelView
from wire import frames
from wire import presales as documents

# Longest code body read: far above any code (presales.codes.MAX_LENGTH).
MAX_BODY = 4096


def presale_open(event_id: int) -> bool:
    """Whether the map offers the code form: a channel keeps seats now."""
    return (
        SalesChannel.objects.filter(event_id=event_id)
        .active_at(timezone.now())
        .exists()
    )


@never_cache
@require_POST
def presale_code(request: HttpRequest, event_id: int) -> HttpResponse:
    """A presale code, as JSON (`{"code": ...}`, answered in JSON) or as the
    form (answered with the map again and a notice)."""
    event = get_object_or_404(Event, pk=event_id)
    wants_json = request.content_type == "application/json"
    code = _code(request, wants_json)
    holder = holder_for_session(request.session)
    try:
        if not code.strip():
            raise access.WrongCode(gettext_noop("Enter a code."))
        channel = access.unlock(
            event_id=event.id,
            code=code,
            holder=holder,
            client=client_key(request.META.get("REMOTE_ADDR")),
            now=timezone.now(),
        )
    except RequestError as refused:
        return _refused(request, event, refused, wants_json)
    unlock_in_session(request.session, event.id, channel.pk)
    view = ChannelView(channel.pk, channel.name, channel.releases_at)
    if wants_json:
        return _json(documents.channel_unlocked(view))
    messages.success(
        request,
        gettext("Unlocked: %(channel)s. Its seats are on sale to you.")
        % {"channel": channel.name},
    )
    return _back_to_map(event)


def _code(request: HttpRequest, wants_json: bool) -> str:
    if not wants_json:
        return str(request.POST.get("code", ""))[:MAX_BODY]
    try:
        body = json.loads(request.body[:MAX_BODY] or b"{}")
    except (ValueError, RecursionError):  # deeply nested: no code either
        return ""
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else ""


def _refused(
    request: HttpRequest, event: Event, refused: RequestError, wants_json: bool
) -> HttpResponse:
    status = 429 if isinstance(refused, RateLimited) else 400
    if wants_json:
        response = _json(frames.error(refused), status=status)
    else:
        # The JSON answer keeps the English text; the form speaks the
        # visitor's language (texts not in the catalogue stay English).
        messages.error(request, gettext(refused.message))
        response = _back_to_map(event)
    if isinstance(refused, RateLimited):
        response["Retry-After"] = str(max(1, round(refused.retry_after)))
    return response


def _json(document: object, status: int = 200) -> HttpResponse:
    return HttpResponse(
        frames.dumps(document), status=status, content_type="application/json"
    )


def _back_to_map(event: Event) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = reverse("seat-map", args=[event.id])
    return response


@never_cache
@staff_required
def channels_page(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff: the event's channels, their kept seats and recent code use;
    open a channel, keep seats for it or give them back."""
    event = get_object_or_404(Event, pk=event_id)
    now = timezone.now()
    context: dict[str, object] = {"event": event, "form": {}}
    if request.method == "POST":
        context.update(_act(request, event, now))
    context.update(
        rows=staff.channel_rows(event.id, now),
        attempts=access.recent_attempts(event.id),
        sections=sorted(
            {s for s in event.seats.values_list("section", flat=True) if s}
        ),
        now=now,
    )
    status = 400 if context.get("error") else 200
    return render(request, "frontend/channels.html", context, status=status)


def _act(request: HttpRequest, event: Event, now: datetime) -> dict[str, object]:
    """One POST of the page: `action` open, keep or delete."""
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "open":
            opened = staff.open_channel(
                event_id=event.id,
                name=post.get("name", ""),
                code=post.get("code", ""),
                releases_at=_when(post.get("releases_at", "")),
                now=now,
            )
            # Shown this once: only its hash is stored.
            return {"opened": opened}
        if action == "keep":
            channel = post.get("channel", "")
            changed = staff.keep(
                event_id=event.id,
                channel_id=int(channel) if channel else None,
                selection=Selection(
                    section=post.get("section", ""),
                    rows=post.get("rows", ""),
                    labels=post.get("labels", ""),
                ),
                now=now,
            )
            where = "general sale" if not channel else "the channel"
            return {"done": f"{len(changed)} seat(s) now kept for {where}."}
        if action == "delete":
            channel = get_object_or_404(
                SalesChannel, pk=int(post.get("channel", "0")), event=event
            )
            freed = staff.remove_channel(channel_id=channel.pk, now=now)
            return {"done": f"Removed {channel.name}; {freed} seat(s) back on sale."}
    except (RequestError, ValueError) as refused:
        message = refused.message if isinstance(refused, RequestError) else str(refused)
        return {"error": message, "form": post}
    return {"error": "Unknown action.", "form": post}


def _when(text: str) -> datetime | None:
    """A `datetime-local` value (the server's time zone) or ISO 8601; empty: None."""
    if not text.strip():
        return None
    moment = parse_datetime(text.strip())
    if moment is None:
        raise ValueError("The release time is not a date and time.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
