"""The fork server: imports the libraries once, then forks a child per request.

Started by devtools.forking (the caller's side, which says why) as
`python -m devtools.forkserver FD`, without coverage, with FD its end of a
packet socket. Each request on it is a child's argv, environment, directory
and limits, with its descriptors (a status socket, stdin, stdout, stderr,
the passed ones) alongside. The fork server answers on the status socket
with the child's pid and a pidfd, and later with its exit status: it is the
child's parent and reaps it. The child itself takes its descriptors,
environment and streams and runs its program where the fork left it, as
`python script.py` or `python -m module` would (`_become`).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import io
import json
import os
import resource
import select
import signal
import socket
import sys
import threading
from typing import Any

from devtools.forking import PACKET_BYTES

# Imported once by the fork server: libraries only, none of which needs
# Django's settings, starts a thread, keeps a descriptor open or installs
# Twisted's reactor (daphne's server module installs one, so it is left to
# the child; so is prometheus_client, which picks its multi-process mode
# from the environment as it is imported). The fork server checks.
PRELOAD = (
    "asyncio",
    "email.utils",
    "django",
    "django.conf",
    "django.core.management",
    "django.core.handlers.asgi",
    "django.db.models",
    "django.http",
    "django.template",
    "django.urls",
    "twisted.internet.defer",
    "twisted.internet.protocol",
    "autobahn.websocket.protocol",
    "autobahn.twisted.websocket",
    "daphne.http_protocol",
    "daphne.ws_protocol",
    "channels",
    "channels.generic.websocket",
    "channels.layers",
    "channels_redis.core",
    "redis.asyncio",
    "psycopg",
    "asyncpg",
    "jsonschema",
    "pydantic",
    "apscheduler.schedulers.background",
    "cryptography.x509",
    "sqlparse",
    "coverage",
)

_MAX_FDS = 64


def _serve(control: socket.socket) -> tuple[dict, list[int]] | None:
    """Fork a child per request until the caller goes; in a child, return
    its request and descriptors (status socket closed), else None."""
    # Ctrl-C in the terminal reaches the whole process group: it is for the
    # tests and their children, not for the process that starts them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in PRELOAD:
        importlib.import_module(name)
    from django.conf import settings

    assert not settings.configured, "a preloaded module read Django's settings"
    assert "twisted.internet.reactor" not in sys.modules, "a reactor was installed"
    assert threading.active_count() == 1, "a preloaded module started a thread"
    wake_read, wake_write = os.pipe()
    own = {0, 1, 2, control.fileno(), wake_read, wake_write}
    left_open = {int(fd) for fd in os.listdir("/proc/self/fd")} - own
    # listdir's own descriptor is in the listing, and closed by now.
    assert len(left_open) <= 1, f"a preloaded module kept descriptors {left_open}"
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, socket.socket] = {}
    waiter = select.poll()
    waiter.register(control.fileno(), select.POLLIN)
    waiter.register(wake_read, select.POLLIN)
    control.send(b"ready")
    while True:
        for fd, _ in waiter.poll():
            if fd == wake_read:
                os.read(wake_read, 4096)
                _reap(children)
                continue
            packet, fds, _, _ = socket.recv_fds(control, PACKET_BYTES, _MAX_FDS)
            if not packet:
                return None
            status = socket.socket(fileno=fds[0])
            try:
                pid = os.fork()
            except OSError as error:
                for received in fds[1:]:
                    os.close(received)
                with contextlib.suppress(OSError):
                    status.send(json.dumps({"error": str(error)}).encode())
                status.close()
                continue
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                os.close(wake_read)
                os.close(wake_write)
                control.close()
                status.close()
                for other in children.values():
                    other.close()
                return json.loads(packet), fds[1:]
            for received in fds[1:]:
                os.close(received)
            children[pid] = status
            pidfd = os.pidfd_open(pid)
            try:
                socket.send_fds(status, [json.dumps({"pid": pid}).encode()], [pidfd])
            except OSError:
                pass  # the caller gave up waiting; the child is reaped all the same
            finally:
                os.close(pidfd)


def _reap(children: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        status = children.pop(pid, None)
        if status is not None:
            with contextlib.suppress(OSError):  # nobody is waiting for it any more
                returncode = os.waitstatus_to_exitcode(code)
                status.send(json.dumps({"returncode": returncode}).encode())
            status.close()


# The fork server's own standard streams, kept referenced in a child: they
# own descriptors 0-2, and collected they would close what the child put there.
_server_streams: list[Any] = []


def _become(request: dict, fds: list[int]) -> None:
    """Turn this forked process into `python *argv` with the request's
    streams, descriptors, limits, environment and directory, and run it."""
    import runpy

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if request["many_files"] else min(request["open_files"], hard)
    if wanted != soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    targets = [0, 1, 2, *request["pass_fds"]]
    # Out of the targets' way first: a received descriptor may sit on one.
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3 + max(targets)) for fd in fds]
    for fd in fds:
        os.close(fd)
    for fd, target in zip(moved, targets, strict=True):
        os.dup2(fd, target, inheritable=True)
    for fd in moved:
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    _fresh_streams(unbuffered=bool(os.environ.get("PYTHONUNBUFFERED")))
    if os.environ.get("COVERAGE_PROCESS_START") or os.environ.get(
        "COVERAGE_PROCESS_CONFIG"
    ):
        import coverage

        coverage.process_startup(slug="pth")
    argv = request["argv"]
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        sys.path[0] = os.getcwd()
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        sys.path[0] = os.path.dirname(os.path.realpath(argv[0]))
        runpy.run_path(argv[0], run_name="__main__")


def _fresh_streams(*, unbuffered: bool) -> None:
    """sys.stdin, stdout and stderr as a fresh interpreter makes them for
    the descriptors now at 0-2 (buffering, tty or not)."""
    _server_streams.extend([sys.stdin, sys.stdout, sys.stderr])
    encoding = sys.stdout.encoding

    def writer(fd: int, errors: str) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "wb", closefd=False)
        tty = raw.isatty()
        return io.TextIOWrapper(
            raw if unbuffered else io.BufferedWriter(raw),
            encoding=encoding,
            errors=errors,
            line_buffering=tty or fd == 2,
            write_through=unbuffered,
        )

    reader = io.BufferedReader(io.FileIO(0, "rb", closefd=False))
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(reader, encoding=encoding)
    sys.stdout = sys.__stdout__ = writer(1, sys.stdout.errors)
    sys.stderr = sys.__stderr__ = writer(2, "backslashreplace")


def main(control_fd: int) -> None:
    job = _serve(socket.socket(fileno=control_fd))
    if job is not None:
        _become(*job)


if __name__ == "__main__":
    main(int(sys.argv[1]))
