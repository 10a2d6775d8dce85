"""`make run`: the server and, beside it, the demo shop its demo event sells through.

    python scripts/run_demo.py [--host 127.0.0.1] [--port 8000] [--shop-port 8100]

The demo event's "Continue to checkout" leads to the stand-in shop
(scripts/demo_shop.py); a newcomer who ran one command should be able to
pay there. So this starts `manage.py serve` and the shop as two child
processes, and stops both when either stops or on Ctrl-C.

The shop's sell key is kept in SEATS_VAR_DIR/demo-shop.key (mode 0600) and
used again while it is valid, so restarts do not pile up keys; its webhook
endpoint is registered once (`create_webhook --reuse`). If the shop's port
is taken (`make demo-shop` already runs there), the server runs alone.
`--no-shop` (or DEMO_SHOP=0 for `make run`) skips the shop altogether.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
KEY_FILE_NAME = "demo-shop.key"
# The shop's publishable key for the embedded seat map (docs/embed.md).
PUBLISHABLE_FILE_NAME = "demo-shop.pk"
SHOP_NAME = "demo-shop"
STOP_SECONDS = 10  # how long a child may take to stop before it is killed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--shop-port", type=int, default=8100)
    parser.add_argument("--no-shop", action="store_true", help="serve only")
    options = parser.parse_args(argv)

    serve = [sys.executable, "manage.py", "serve"]
    serve += ["--host", options.host, "--port", str(options.port)]
    children: list[subprocess.Popen] = []
    if not options.no_shop:
        shop = start_shop(options.host, options.port, options.shop_port)
        if shop is not None:
            children.append(shop)
    server = subprocess.Popen(serve, cwd=ROOT)
    children.insert(0, server)
    return run_until_one_stops(children)


def start_shop(host: str, port: int, shop_port: int) -> subprocess.Popen | None:
    """The demo shop on `shop_port`, its output prefixed; None if the port is taken."""
    if port_taken(host, shop_port):
        print(
            f"Port {shop_port} is taken (is `make demo-shop` running?): "
            "serving without starting the demo shop.",
            flush=True,
        )
        return None
    key, secret, publishable = shop_credentials(shop_port)
    env = {
        **os.environ,
        "SEATS_API_KEY": key,
        "SEATS_WEBHOOK_SECRET": secret,
        "SEATS_PUBLISHABLE_KEY": publishable,
    }
    command = [sys.executable, "scripts/demo_shop.py", "--host", host]
    command += ["--port", str(shop_port), "--seats-url", f"http://{host}:{port}"]
    shop = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert shop.stdout is not None
    threading.Thread(
        target=prefix_lines, args=(shop.stdout, "shop | "), daemon=True
    ).start()
    return shop


def shop_credentials(shop_port: int) -> tuple[str, str, str]:
    """The shop's sell key (kept, or made anew), its webhook secret and its
    publishable key for the shop's origin (kept, or made anew).

    Django is set up here, in this process, and its connection closed
    again before the server starts: the server is a process of its own.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from api.keys import authenticate, create_key
    from api.models import ApiKey

    key_file = Path(settings.VAR_DIR) / KEY_FILE_NAME
    kept = key_file.read_text().strip() if key_file.exists() else ""
    found = authenticate(kept) if kept else None
    if found is None or found.scope != ApiKey.Scope.SELL:
        _, kept = create_key(SHOP_NAME, ApiKey.Scope.SELL)
        write_private(key_file, kept + "\n")
    out = io.StringIO()
    call_command(
        "create_webhook",
        f"http://127.0.0.1:{shop_port}/webhooks",
        description="demo shop",
        reuse=True,
        secret_only=True,
        stdout=out,
    )
    publishable = publishable_key(Path(settings.VAR_DIR), shop_port)
    connections.close_all()
    return kept, out.getvalue().strip(), publishable


def publishable_key(var_dir: Path, shop_port: int) -> str:
    """The demo shop's publishable key, for http://127.0.0.1:<shop_port> and
    http://localhost:<shop_port>: the kept one while it is active and
    still lists both, else a new one. It is public, so kept without care."""
    from django.core.management import call_command

    from embed.models import PublishableKey

    origins = {f"http://127.0.0.1:{shop_port}", f"http://localhost:{shop_port}"}
    key_file = var_dir / PUBLISHABLE_FILE_NAME
    kept = key_file.read_text().strip() if key_file.exists() else ""
    found = PublishableKey.objects.filter(key=kept, revoked_at__isnull=True).first()
    if found is not None and origins <= set(found.origins):
        return kept
    out = io.StringIO()
    arguments = [SHOP_NAME]
    for origin in sorted(origins):
        arguments += ["--origin", origin]
    call_command("create_publishable_key", *arguments, stdout=out)
    kept = out.getvalue().strip()
    key_file.write_text(kept + "\n")
    return kept


def write_private(path: Path, text: str) -> None:
    """Write `text` readable by this user alone (0600), whatever the file's
    mode was: a copy, or a file made under a looser umask, is tightened."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def prefix_lines(stream: IO[str], prefix: str) -> None:
    for line in stream:
        sys.stdout.write(prefix + line)
        sys.stdout.flush()


def run_until_one_stops(children: list[subprocess.Popen]) -> int:
    """Wait until a child exits (or a signal comes), then stop the others.

    Ctrl-C reaches every process of the terminal's group, the children
    included; SIGTERM to this process alone is passed on to them.
    """
    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stopping.is_set() and all(c.poll() is None for c in children):
        stopping.wait(0.2)
    for child in children:
        stop(child)
    code = children[0].returncode
    return 0 if stopping.is_set() or code is None else code


def stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
