"""Only a serving process loads the server: Django alone does not.

Twisted, autobahn, daphne's server and pyOpenSSL cost 0.3 s of CPU to
import; one-off commands, the sweeper and the webhook sender never serve, so
setting Django up must not pull them in. The process that serves imports
daphne's server first, which installs Twisted's asyncio reactor.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_PACKAGES = {"twisted", "daphne", "autobahn", "OpenSSL"}


def _run(code: str) -> str:
    """`code` in a fresh interpreter with the project's settings; its stdout."""
    prelude = (
        "import os, sys, json\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "import django\n"
        "django.setup()\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", prelude + code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_setting_django_up_imports_no_server():
    loaded = json.loads(
        _run(
            "print(json.dumps(sorted(m for m in sys.modules "
            f"if m.split('.')[0] in {sorted(SERVER_PACKAGES)!r})))"
        )
    )
    assert loaded == []


def test_a_serving_process_runs_on_twisteds_asyncio_reactor():
    kind = _run(
        "import realtime.serving\n"
        "from twisted.internet import reactor\n"
        "print(type(reactor).__name__)"
    )
    assert kind.strip() == "AsyncioSelectorReactor"


def test_runserver_is_daphnes():
    from daphne.management.commands.runserver import Command as DaphneRunserver
    from django.core.management import get_commands, load_command_class

    app = get_commands()["runserver"]
    assert app == "realtime"
    assert isinstance(load_command_class(app, "runserver"), DaphneRunserver)
