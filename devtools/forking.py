"""Python children forked from a process that has imported the libraries:
the caller's side (the fork server itself is devtools.forkserver).

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
runs without coverage); its standard streams made afresh; the caller's
open-files limit; the interpreter's normal exit (atexit, non-daemon
threads). What it shares with its siblings is what a fork shares: the hash
seed and the libraries' module state as imported. Anything else (other
interpreter options, a PYTHON*, LC_*, LANG or TZ variable that differs, a
stdout pipe) is started fresh by `subprocess.Popen`, as is everything once
the fork server cannot start.

Only the test suite turns it on (`enable`, from tests/conftest.py;
SEATS_FORK_SERVER=0 turns it off), and the benchmarks' smoke run: measured
benchmarks start servers as a deployment starts them.

The fork server is the children's parent, so it reads their exit statuses
and passes each on, over a socket of the child's own, to the
`ForkedProcess` that stands for it in the caller.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]

# Variables the fork server's interpreter was started with that a child may
# set differently: the child applies them itself.
_APPLIED_IN_CHILD = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")
# The largest request or answer, in bytes (a child's environment included).
PACKET_BYTES = 1 << 20
# How long a start may take before the fork server counts as gone.
_READY_SECONDS = 60.0

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

    Forked for a script or `-m module` whose environment sets the
    interpreter up as the fork server's, with no output to a pipe; started
    fresh otherwise. `many_files` raises the child's open-files limit to the
    hard one.
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


def _interpreter_setting(name: str) -> bool:
    """Read by the interpreter or the standard library as it starts."""
    return name.startswith(("PYTHON", "LC_")) or name in ("LANG", "TZ")


def _client() -> _Client | None:
    """This process's fork server, started on first use; None (and no fork
    server from now on) if it cannot be."""
    global _server, _enabled
    with _server_lock:
        if _server is not None and not _server.alive():
            _server.close()
            _server = None
        if _server is None:
            try:
                _server = _Client()
            except OSError as error:
                _enabled = False
                print(
                    f"fork server unavailable, starting fresh: {error}", file=sys.stderr
                )
                return None
        return _server


class ForkedProcess:
    """What callers use of `subprocess.Popen`, for a child of the fork server:
    its pid, its exit status (negative for a signal, as Popen's), signals,
    `stdin` when it was a pipe.

    Signals go through a pidfd, which names this process and no later one
    with its pid; if the fork server goes first, the pidfd still says when
    the child has ended (with 255: its status went with its parent).
    """

    def __init__(
        self,
        args: list[str],
        pid: int,
        pidfd: int,
        status: socket.socket,
        stdin: IO[bytes] | None,
    ) -> None:
        self.args = args
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = stdin
        self.stdout = None
        self.stderr = None
        self._pidfd = pidfd
        self._status: socket.socket | None = status
        self._lock = threading.Lock()

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
        with self._lock:
            if self.returncode is None:
                try:
                    signal.pidfd_send_signal(self._pidfd, sig)
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

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._pidfd)

    def _read(self, timeout: float | None) -> bool:
        """True once the exit status has come (or the child has ended with
        its parent, the fork server, gone before it)."""
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            with self._lock:
                if self.returncode is not None:
                    return True
                waiter = select.poll()
                source = self._status.fileno() if self._status else self._pidfd
                waiter.register(source, select.POLLIN)
                if waiter.poll(0):
                    self._take()
                    continue
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            # Outside the lock, so that a signal can be sent meanwhile.
            waiter.poll(None if left is None else min(left, 0.5) * 1000)

    def _take(self) -> None:
        """What has come: the status, the fork server gone, or the child
        ended with its parent gone (the pidfd)."""
        if self._status is None:  # the pidfd: ended, status unknown
            self.returncode = 255
            return
        packet = self._status.recv(PACKET_BYTES)
        self._status.close()
        self._status = None
        if packet:
            self.returncode = json.loads(packet)["returncode"]
        # else the fork server went first: the pidfd says when it ends


# A child as callers hold it, however it was started.
Process = subprocess.Popen | ForkedProcess


class _Client:
    """The caller's end: one request per child over a packet socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.environment = _server_environment(os.environ)
        handle, name = tempfile.mkstemp(prefix="seats-forkserver-", suffix=".log")
        self.log = log = Path(name)
        with open(handle, "ab") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devtools.forkserver", str(theirs.fileno())],
                cwd=ROOT,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=errors,
                stderr=subprocess.STDOUT,
                pass_fds=(theirs.fileno(),),
            )
        theirs.close()
        self.control = ours
        self.lock = threading.Lock()
        # Ready once its imports are done; what failed otherwise is in its log.
        self.control.settimeout(_READY_SECONDS)
        try:
            ready = self.control.recv(PACKET_BYTES)
        except TimeoutError:
            ready = b""
        finally:
            self.control.settimeout(None)
        if ready != b"ready":
            self.close()
            raise OSError(f"the fork server did not start; see {log}")
        atexit.register(self.close)

    def alive(self) -> bool:
        return self.process.poll() is None

    def same_interpreter(self, env: Mapping[str, str]) -> bool:
        """True when `env` sets the interpreter up as the fork server's was
        (every variable it reads as it starts, but those a child applies
        itself)."""
        names = {k for k in (*env, *self.environment) if _interpreter_setting(k)}
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
        if not os.path.isdir(cwd):
            raise FileNotFoundError(f"no such directory: {cwd}")
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
            "open_files": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            "many_files": many_files,
        }
        fds: list[int] = []
        try:
            with self.lock:
                socket.send_fds(
                    self.control,
                    [json.dumps(request).encode()],
                    [child_status.fileno(), in_fd, out_fd, err_fd, *pass_fds],
                )
            status.settimeout(_READY_SECONDS)
            started, fds, _, _ = socket.recv_fds(status, PACKET_BYTES, 1)
            status.settimeout(None)
            answer = json.loads(started) if started else {"error": "no answer"}
            if "pid" not in answer or len(fds) != 1:
                raise OSError(f"the fork server could not start {argv}: {answer}")
        except OSError:
            status.close()
            for fd in fds:
                os.close(fd)
            if pipe_in is not None:
                pipe_in.close()
            raise
        finally:
            child_status.close()
            for fd in opened:
                os.close(fd)
        return ForkedProcess(
            [sys.executable, *argv], answer["pid"], fds[0], status, pipe_in
        )

    def close(self) -> None:
        """Let the fork server go (its children carry on); its log goes too
        unless something was written there."""
        self.control.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            if self.log.stat().st_size == 0:
                self.log.unlink()
