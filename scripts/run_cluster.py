"""Run the production shape locally: N daphne workers and one sweeper.

    WORKERS=2 BASE_PORT=8001 python scripts/run_cluster.py

Uses DATABASE_URL (PostgreSQL, created when missing) and REDIS_URL, migrates,
seeds the demo event when there is none, then keeps the workers and the
sweeper in the foreground until Ctrl-C or SIGTERM, and stops them all. If one
of them dies, the others are stopped too, so a half-running cluster never
hides. Put nginx in front (deploy/nginx.conf) for one address.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, Python puts scripts/ first on the path, not the project.
sys.path.insert(0, str(ROOT))

from devtools.databases import PostgresDatabase  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/seats"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def ensure_database(url: str) -> None:
    """CREATE DATABASE when the one named in `url` does not exist yet."""
    database = PostgresDatabase.from_url(url)
    if database.ensure():
        print(f"created database {database.name}", flush=True)


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    workers = int(os.environ.get("WORKERS", "2"))
    base_port = int(os.environ.get("BASE_PORT", "8001"))
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "REDIS_URL": os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    ensure_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("seed_demo", env=env)
    manage("ensure_admin", env=env)

    children: list[tuple[str, subprocess.Popen]] = []
    for port in range(base_port, base_port + workers):
        command = ["serve", "--no-sweeper", "--proxy-headers", "--port", str(port)]
        children.append((f"worker:{port}", spawn(command, env)))
    children.append(("sweeper", spawn(["run_sweeper"], env)))

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    urls = ", ".join(
        f"http://127.0.0.1:{p}/" for p in range(base_port, base_port + workers)
    )
    print(f"cluster up: {workers} worker(s) at {urls} and one sweeper", flush=True)

    status = 0
    while not stopping:
        for name, child in children:
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping", flush=True)
                stopping, status = True, 1
                break
        time.sleep(0.2)
    shutdown(children)
    print("cluster stopped", flush=True)
    return status


def spawn(args: list[str], env: dict) -> subprocess.Popen:
    # Own process group: a Ctrl-C reaches us once, and we stop children in order.
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, start_new_session=True
    )


def shutdown(children: list[tuple[str, subprocess.Popen]]) -> None:
    for _, child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 10
    for _, child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
