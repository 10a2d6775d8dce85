"""The ASGI application: HTTP (with static files) and WebSockets.

Django is set up before anything imports models. WebSockets are routed by
path (realtime.routing.ByPath): the embedded seat map's routes under
/ws/embed/ check each page's origin against its publishable key
themselves; every other route passes the origin check (scheme, host and
port: realtime.origin) first, then adds the session or user it needs from
the cookie. Static files carry `Access-Control-Allow-Origin: *`
(config.static_cors), so a shop's page may import the embed module.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from config.static_cors import StaticCors  # noqa: E402
from realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Static files are served by the app itself, so one process needs no
        # web server in front; behind nginx, /static/ is served from disk.
        "http": StaticCors(ASGIStaticFilesHandler(django_asgi_app)),
        # Each ordinary route brings the session/auth middleware it needs
        # (routing.py); a cross-origin page never gets that far, not even
        # from another port. The embed routes admit the origins of each key.
        "websocket": websocket_application(),
    }
)
