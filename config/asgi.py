"""The ASGI application: HTTP (with static files) and WebSockets.

Django is set up before anything imports models, then WebSockets pass the
origin check (scheme, host and port: realtime.origin); each route adds the
session or user it needs from the cookie.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from realtime.origin import OriginCheck  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Static files are served by the app itself, so one process needs no
        # web server in front; behind nginx, /static/ is served from disk.
        "http": ASGIStaticFilesHandler(django_asgi_app),
        # Each route brings the session/auth middleware it needs (routing.py);
        # a cross-origin page never gets that far, not even from another port.
        "websocket": OriginCheck(URLRouter(websocket_urlpatterns)),
    }
)
