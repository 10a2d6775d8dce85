"""`Access-Control-Allow-Origin: *` on every response under STATIC_URL.

The embedded seat map is an ES module loaded from our site by a shop's
page (another origin); module scripts and everything they import are
fetched in CORS mode, so without the header the browser refuses them.
Static files are public, so any origin may read them. nginx adds the
same header where it serves /static/ itself (deploy/nginx.conf).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

HEADER = b"access-control-allow-origin"


class StaticCors:
    """ASGI middleware around the static files handler (module doc)."""

    def __init__(self, application):
        self.application = application
        self.prefix = urlsplit(settings.STATIC_URL).path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.application(scope, receive, send)

        async def with_cors(message):
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != HEADER
                ]
                message = {**message, "headers": [*headers, (HEADER, b"*")]}
            await send(message)

        return await self.application(scope, receive, with_cors)
