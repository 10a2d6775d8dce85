"""Python children forked from a process that has imported the libraries.

A test suite starts a couple of hundred `manage.py serve`, `run_sweeper`
and command processes, and each fresh `python` spends about a second of CPU
importing Django, Twisted, autobahn, Channels, redis, psycopg and the rest
before it reaches the project's own code (1.4 s under coverage's tracer):
a quarter of the suite's CPU on two cores. The fork server imports those
once and forks a child per start, which pays only for the project (0.4 s
under coverage).

A forked child runs its program as `python script.py ...` or `python -m
module ...` would: its own argv, environment, working directory, standard
streams and passed descriptors; coverage started
before any project module is imported (the fork server imports none and
runs without coverage); the interpreter's normal exit (atexit, non-daemon
threads). What it shares with its siblings is what a fork shares: the hash
seed and the libraries' module state as imported. Anything else (other
interpreter options, a PYTHON* variable that differs, a stdout pipe) is
started fresh by `subprocess.Popen`.

Only the test suite turns it on (`enable`, from tests/conftest.py;
SEATS_FORK_SERVER=0 turns it off): the benchmarks measure servers started
as a deployment starts them.

The fork server is the children's parent, so it reads their exit statuses
and passes each on, over a socket of the child's own, to the
`ForkedProcess` that stands for it in the caller.
"""

from __future__ import annotations

import atexit
import fcntl
import importlib
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]

# Imported once by the fork server: libraries only, none of which needs
# Django's settings, starts a thread or installs Twisted's reactor (daphne's
# server module installs one, so it is left to the child).
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
    "prometheus_client",
    "jsonschema",
    "pydantic",
    "apscheduler.schedulers.background",
    "cryptography.x509",
    "sqlparse",
    "coverage",
)

# Variables the fork server's interpreter was started with that a child may
# set differently: the child applies them itself.
_APPLIED_IN_CHILD = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")
_PACKET = 1 << 20
_MAX_FDS = 64

_enabled = False
_server: _Client | None = None
_server_lock = threading.Lock()


def enable() -> None:
    """Start children by fork from now on (unless SEATS_FORK_SERVER=0)."""
    global _enabled
    _enabled = os.environ.get("SEATS_FORK_SERVER", "1") != "0"


def popen(
    argv: Sequence[str],
    *,
    cwd: Path | str,
    env: Mapping[str, str],
    stdin: Any = None,
    stdout: Any = None,
    stderr: Any = None,
    pass_fds: Sequence[int] = (),
    many_files: bool = False,
) -> Process:
    """`subprocess.Popen([sys.executable, *argv], ...)`, forked where it can be.

    The streams take what Popen takes but a stdout or stderr pipe (None,
    DEVNULL, a file or descriptor; PIPE for stdin; STDOUT for stderr);
    `many_files` raises the child's open-files limit to the hard one.
    """
    server = _client() if _enabled and _forkable(argv, stdout, stderr) else None
    if server is not None and server.same_interpreter(env):
        return server.spawn(
            list(argv), cwd, env, stdin, stdout, stderr, pass_fds, many_files
        )
    return subprocess.Popen(
        [sys.executable, *argv],
        cwd=cwd,
        env=dict(env),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        pass_fds=tuple(pass_fds),
        preexec_fn=raise_open_files_limit if many_files else None,
    )


def raise_open_files_limit() -> int:
    """Soft open-files limit up to the hard one (thousands of sockets need it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _forkable(argv: Sequence[str], stdout, stderr) -> bool:
    """`python script.py ...` or `python -m module ...`, no output pipe."""
    if subprocess.PIPE in (stdout, stderr) or not argv:
        return False
    if argv[0] == "-m":
        return len(argv) > 1
    return not argv[0].startswith("-") and argv[0].endswith(".py")


def _server_environment(inherited: Mapping[str, str]) -> dict[str, str]:
    """The fork server's own: the caller's without coverage's (which would
    measure the fork server and start every child measured already)."""
    clean = {k: v for k, v in inherited.items() if not k.startswith("COVERAGE_")}
    return clean | {"PYTHONUNBUFFERED": "1"}


def _client() -> _Client | None:
    """This process's fork server, started on first use; None if it cannot be."""
    global _server
    with _server_lock:
        if _server is None or not _server.alive():
            try:
                _server = _Client()
            except OSError:
                return None
        return _server


class ForkedProcess:
    """What callers use of `subprocess.Popen`, for a child of the fork server:
    its pid, its exit status (negative for a signal, as Popen's), signals,
    `stdin` when it was a pipe."""

    def __init__(
        self, args: list[str], pid: int, status: socket.socket, stdin: IO[bytes] | None
    ) -> None:
        self.args = args
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = stdin
        self.stdout = None
        self.stderr = None
        self._status = status

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not self._read(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass  # it has just ended; its status is on its way

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __enter__(self) -> ForkedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stdin is not None:
            self.stdin.close()
        self.wait()

    def _read(self, timeout: float | None) -> bool:
        """True once the exit status has come (or can never come)."""
        waiter = select.poll()
        waiter.register(self._status.fileno(), select.POLLIN)
        if not waiter.poll(None if timeout is None else max(0.0, timeout) * 1000):
            return False
        packet = self._status.recv(_PACKET)
        self._status.close()
        if packet:
            self.returncode = json.loads(packet)["returncode"]
        else:
            # The fork server went first (its caller is exiting): the child
            # is nobody's to wait for any more.
            self.returncode = 255
        return True


# A child as callers hold it, however it was started.
Process = subprocess.Popen | ForkedProcess


class _Client:
    """The caller's end: one request per child over a packet socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.environment = _server_environment(os.environ)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devtools.forkserver", str(theirs.fileno())],
            cwd=ROOT,
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()
        self.control = ours
        self.lock = threading.Lock()
        atexit.register(self.close)

    def alive(self) -> bool:
        return self.process.poll() is None

    def same_interpreter(self, env: Mapping[str, str]) -> bool:
        """True when `env` sets the interpreter up as the fork server's was
        (every PYTHON* variable but those a child applies itself)."""
        names = {k for k in (*env, *self.environment) if k.startswith("PYTHON")}
        return all(
            env.get(name) == self.environment.get(name)
            for name in names - set(_APPLIED_IN_CHILD)
        )

    def spawn(
        self,
        argv: list[str],
        cwd: Path | str,
        env: Mapping[str, str],
        stdin: Any,
        stdout: Any,
        stderr: Any,
        pass_fds: Sequence[int],
        many_files: bool,
    ) -> ForkedProcess:
        opened: list[int] = []  # ours to close once the child has them

        def fd_of(stream: Any, default: int) -> int:
            if stream is None:
                return default
            if stream == subprocess.DEVNULL:
                fd = os.open(os.devnull, os.O_RDWR)
                opened.append(fd)
                return fd
            return stream if isinstance(stream, int) else stream.fileno()

        pipe_in = None
        if stdin == subprocess.PIPE:
            read_end, write_end = os.pipe()
            opened.append(read_end)
            pipe_in = os.fdopen(write_end, "wb")
            in_fd = read_end
        else:
            in_fd = fd_of(stdin, 0)
        out_fd = fd_of(stdout, 1)
        err_fd = out_fd if stderr == subprocess.STDOUT else fd_of(stderr, 2)
        status, child_status = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        request = {
            "argv": argv,
            "cwd": str(cwd),
            "env": dict(env),
            "pass_fds": list(pass_fds),
            "many_files": many_files,
        }
        try:
            with self.lock:
                socket.send_fds(
                    self.control,
                    [json.dumps(request).encode()],
                    [child_status.fileno(), in_fd, out_fd, err_fd, *pass_fds],
                )
        finally:
            child_status.close()
            for fd in opened:
                os.close(fd)
        started = status.recv(_PACKET)
        if not started:
            if pipe_in is not None:
                pipe_in.close()
            raise OSError("the fork server ended before starting the child")
        pid = json.loads(started)["pid"]
        return ForkedProcess([sys.executable, *argv], pid, status, pipe_in)

    def close(self) -> None:
        """Let the fork server go (its children carry on)."""
        self.control.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The fork server's side.


def _serve(control: socket.socket) -> tuple[dict, list[int]] | None:
    """Fork a child per request until the caller goes; in a child, return
    its request and descriptors (status socket closed), else None."""
    for name in PRELOAD:
        importlib.import_module(name)
    assert "twisted.internet.reactor" not in sys.modules, "a reactor was installed"
    assert threading.active_count() == 1, "a preloaded module started a thread"
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, socket.socket] = {}
    waiter = select.poll()
    waiter.register(control.fileno(), select.POLLIN)
    waiter.register(wake_read, select.POLLIN)
    while True:
        for fd, _ in waiter.poll():
            if fd == wake_read:
                os.read(wake_read, 4096)
                _reap(children)
                continue
            packet, fds, _, _ = socket.recv_fds(control, _PACKET, _MAX_FDS)
            if not packet:
                return None
            status = socket.socket(fileno=fds[0])
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
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
            status.send(json.dumps({"pid": pid}).encode())


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
            try:
                returncode = os.waitstatus_to_exitcode(code)
                status.send(json.dumps({"returncode": returncode}).encode())
            except OSError:
                pass  # nobody is waiting for it any more
            status.close()


def _become(request: dict, fds: list[int]) -> None:
    """Turn this forked process into `python *argv` with the request's
    streams, descriptors, environment and directory, and run it."""
    import runpy

    targets = [0, 1, 2, *request["pass_fds"]]
    # Out of the targets' way first: a received descriptor may sit on one.
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3 + max(targets)) for fd in fds]
    for fd in fds:
        os.close(fd)
    for fd, target in zip(moved, targets, strict=True):
        os.dup2(fd, target, inheritable=True)
    for fd in moved:
        os.close(fd)
    if request["many_files"]:
        raise_open_files_limit()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
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
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
        runpy.run_path(argv[0], run_name="__main__")


def main(control_fd: int) -> None:
    job = _serve(socket.socket(fileno=control_fd))
    if job is not None:
        _become(*job)


if __name__ == "__main__":
    main(int(sys.argv[1]))
