"""Scope for the seat-map socket: the browser's session, and nothing on send.

Channels' SessionMiddleware wraps every outgoing message to save sessions
changed during HTTP responses; a seat-map socket only reads its session once,
at connect, and then sends thousands of broadcast frames. This middleware
puts a lazily loaded session in the scope and leaves `send` alone.
"""

from __future__ import annotations

from importlib import import_module

from channels.sessions import CookieMiddleware
from django.conf import settings


class SessionScopeMiddleware:
    def __init__(self, inner):
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        # SessionStore(key) reads nothing until first used (in a DB thread).
        scope = dict(scope, session=self.store(key))
        return await self.inner(scope, receive, send)


def SessionScopeStack(inner):  # noqa: N802 - named like Channels' stacks
    return CookieMiddleware(SessionScopeMiddleware(inner))
