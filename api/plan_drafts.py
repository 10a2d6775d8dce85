"""The plan editor's JSON endpoints (staff only): a new plan, its draft, publish.

The documents are described in docs/plan-editor.schema.json. CSRF stays on;
anyone but staff gets 403 and changes nothing. A draft is saved as drawn
and checked on every save (plans.drafts); publishing goes through the same
path as importing a new version of the plan.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.responses import json_response
from api.staff import staff_only
from plans import drafts
from plans.document import PlanRejected
from seats.errors import BadRequest, PlanChangeRefused
from seats.models import SeatingPlan
from seats.timefmt import iso


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest("The body must be JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _revision(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
        raise BadRequest("revision must be the revision the edit started from.")
    return revision


def _editor(request: HttpRequest) -> str:
    user = request.user
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (name or user.get_username())[:150]


def _not_found() -> HttpResponse:
    return json_response(
        {"type": "error", "code": "not_found", "detail": "There is no such plan."}, 404
    )


@staff_only
@require_POST
def new_plan(request: HttpRequest) -> HttpResponse:
    """An empty plan to draw: 201 with its id and the editor's address."""
    name = _body(request).get("name", "")
    if not isinstance(name, str):
        raise BadRequest("name must be text.")
    plan = drafts.new_plan(name)
    return json_response(
        {
            "type": "plan.created",
            "id": plan.pk,
            "name": plan.name,
            "edit_url": reverse("plan-editor", args=[plan.pk]),
        },
        201,
    )


@staff_only
def draft(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: the draft (and the caller is editing it); PUT: save a revision."""
    now = timezone.now()
    editor = _editor(request)
    try:
        if request.method == "GET":
            view = drafts.open_draft(plan_id, editor=editor, now=now)
        elif request.method == "PUT":
            body = _body(request)
            view = drafts.save_draft(
                plan_id,
                document=body.get("document"),
                revision=_revision(body),
                force=body.get("force") is True,
                editor=editor,
                now=now,
            )
        else:
            return HttpResponseNotAllowed(["GET", "PUT"])
    except SeatingPlan.DoesNotExist:
        return _not_found()
    except drafts.DraftChanged as changed:
        return json_response(_changed(changed.draft), 409)
    except drafts.DraftInvalid as invalid:
        return json_response(
            {
                "type": "error",
                "code": "bad_request",
                "detail": "This is not a plan document: " + str(invalid),
                "problems": [
                    _problem(drafts.DraftProblem(p.where, p.message))
                    for p in invalid.problems
                ],
            },
            422,
        )
    return json_response(_draft_document(view))


@staff_only
@require_POST
def publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Make the draft the plan: 200, or why not (409, 422); nothing changes then."""
    revision = _revision(_body(request))
    now = timezone.now()
    try:
        draft, events = drafts.publish(
            plan_id, revision=revision, editor=_editor(request), now=now
        )
    except SeatingPlan.DoesNotExist:
        return _not_found()
    except drafts.DraftChanged as changed:
        return json_response(_changed(changed.draft), 409)
    except PlanRejected as rejected:
        document = drafts.PlanDraft.objects.get(plan_id=plan_id).document
        return json_response(
            {
                "type": "error",
                "code": "plan_invalid",
                "detail": "Publishing needs every problem solved first.",
                "problems": [
                    _problem(drafts.located(document, p)) for p in rejected.problems
                ],
            },
            422,
        )
    except PlanChangeRefused as refused:
        return json_response(
            {
                "type": "error",
                "code": "plan_change_refused",
                "detail": refused.message,
                "seats": [
                    {"event": refused.event, "label": label} for label in refused.labels
                ],
            },
            409,
        )
    return json_response(
        {
            "type": "plan.published",
            "published": {
                "revision": draft.published_revision,
                "at": iso(draft.published_at),
            },
            "events": [{"id": e.pk, "name": e.name} for e in events],
        }
    )


def _changed(draft: drafts.PlanDraft) -> dict[str, Any]:
    return {
        "type": "error",
        "code": "draft_changed",
        "revision": draft.revision,
        "saved_by": draft.saved_by,
        "saved_at": iso(draft.saved_at) if draft.saved_at else None,
        "detail": (
            f"{draft.saved_by or 'Someone'} saved a newer version of this draft "
            f"(revision {draft.revision})."
        ),
    }


def _problem(problem: drafts.DraftProblem) -> dict[str, Any]:
    return {
        "where": problem.where,
        "message": problem.message,
        "seat_keys": problem.seat_keys,
    }


def _draft_document(view: drafts.DraftView) -> dict[str, Any]:
    draft = view.draft
    return {
        "type": "plan.draft",
        "plan": {"id": draft.plan_id, "name": draft.plan.name},
        "revision": draft.revision,
        "document": draft.document,
        "saved_at": iso(draft.saved_at) if draft.saved_at else None,
        "saved_by": draft.saved_by,
        "problems": [_problem(p) for p in view.problems],
        "counts": {
            "seats": view.counts.seats,
            "places": view.counts.places,
            "by_category": view.counts.by_category,
            "by_zone": view.counts.by_zone,
        },
        "editors": [
            {"name": name, "seen_at": iso(seen)} for name, seen in view.editors
        ],
        "published": {
            "revision": draft.published_revision,
            "at": iso(draft.published_at) if draft.published_at else None,
        },
        "events": [{"id": e.pk, "name": e.name} for e in view.events],
    }
