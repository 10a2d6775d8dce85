"""Who is staff: one decision, for every edge (pages, JSON views, sockets).

Staff means an active user with the staff flag, signed in through a session
Django still honours: a password change or a logout ends it. The REST API's
keys are another matter (api.keys). The domain never asks: it is told
(the waiting room's `require_admission(staff=...)`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.decorators import user_passes_test
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpResponse
from django.utils.crypto import constant_time_compare


def is_staff(user: Any) -> bool:
    """An active staff user (a request's or a socket's `user`, already checked
    against its session by Django's or Channels' auth middleware)."""
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.is_staff
    )


def session_is_staff(session: SessionBase | None) -> bool:
    """The same decision from a session alone, now: for a socket that connected
    a while ago (its session may have ended since). Reads the user: call it
    where database work is done, and only when it matters."""
    if session is None:
        return False
    user_id, session_hash = session.get(SESSION_KEY), session.get(HASH_SESSION_KEY)
    if user_id is None or not session_hash:
        return False
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    return (
        is_staff(user)
        and user is not None
        and constant_time_compare(session_hash, user.get_session_auth_hash())
    )


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for staff: anyone else is sent to the login page (Django's
    `staff_member_required`, deciding with `is_staff`)."""
    return user_passes_test(is_staff, login_url="admin:login")(view)
