"""The project's one-off `manage.py` commands, run in one long-lived process.

A test or benchmark runs many short commands (migrate, seed an event, make
an API key, a `shell -c` snippet), and each `python manage.py` pays Django's
start-up, a second or two of CPU, more under coverage: in a parallel suite
that was a fifth of all the CPU spent. `CommandRunner` starts one process
per environment and sends it the commands one at a time; each runs exactly
as `manage.py` would run it (`call_command` parses the same arguments), and
its output comes back as text.

Between commands the process keeps no database connection (a test may
terminate connections, kill the database or drop it) and no channel layer
(a test may kill Redis); the next command opens them afresh.

The child side is `python -m devtools.commands`: one JSON request per line
on stdin (a list of commands, each a list of arguments), one JSON answer
per line on the protocol descriptor it is given.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from devtools import forking

ROOT = Path(__file__).resolve().parents[1]


class CommandFailed(RuntimeError):
    pass


class CommandRunner:
    """One child process running `manage.py` commands with `env`, on request."""

    def __init__(self, env: Mapping[str, str], log: Path):
        self.env = dict(env)
        log.parent.mkdir(parents=True, exist_ok=True)
        read_answers, write_answers = os.pipe()
        with open(log, "ab") as out:
            self.process = forking.popen(
                ["-m", "devtools.commands", str(write_answers)],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(write_answers,),
            )
        os.close(write_answers)
        self.answers = os.fdopen(read_answers, "rb")

    def run(self, commands: Sequence[Sequence[str]], timeout: float) -> str:
        """Run `commands` in order; their stdout, or CommandFailed naming the first
        that failed, with its output and traceback."""
        assert self.process.stdin is not None
        request = json.dumps([list(c) for c in commands]) + "\n"
        self.process.stdin.write(request.encode())
        self.process.stdin.flush()
        answer = self._read_line(timeout)
        if answer is None:
            self.close(kill=True)
            raise CommandFailed(f"{_shown(commands)} did not finish in {timeout}s")
        reply = json.loads(answer)
        if not reply["ok"]:
            raise CommandFailed(
                f"{_shown(commands)} failed:\n{reply['stdout']}\n{reply['error']}"
            )
        return reply["stdout"]

    def _read_line(self, timeout: float) -> bytes | None:
        deadline = time.monotonic() + timeout
        line = b""
        # poll, not select: a benchmark holding 10,000 sockets opens this
        # pipe past select's 1,024 descriptors.
        waiter = select.poll()
        waiter.register(self.answers.fileno(), select.POLLIN)
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if not waiter.poll(max(0.0, left) * 1000):
                return None
            chunk = os.read(self.answers.fileno(), 1 << 16)
            if not chunk:  # the child died
                raise CommandFailed(f"the command process exited ({self.poll()})")
            line += chunk
        return line

    def poll(self) -> int | None:
        return self.process.poll()

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self, kill: bool = False) -> None:
        """End the child: at once if `kill`, else by closing its input (it exits
        normally, so coverage keeps what it measured)."""
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            elif self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.answers.close()


def _shown(commands: Sequence[Sequence[str]]) -> str:
    return "; ".join("manage.py " + " ".join(c) for c in commands)


def main(answer_fd: int) -> None:
    """The child: set Django up once, then run each request's commands."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from channels.layers import channel_layers
    from django.core.management import call_command
    from django.db import connections

    answers = os.fdopen(answer_fd, "w")
    for line in sys.stdin:
        out = io.StringIO()
        reply: dict = {"ok": True, "stdout": "", "error": ""}
        try:
            with contextlib.redirect_stdout(out):
                for argv in json.loads(line):
                    call_command(*argv)
        except BaseException:  # noqa: BLE001 - every failure is the caller's to see
            reply.update(ok=False, error=traceback.format_exc())
        finally:
            reply["stdout"] = out.getvalue()
            _let_go(connections, channel_layers)
        answers.write(json.dumps(reply) + "\n")
        answers.flush()


def _let_go(connections, channel_layers) -> None:
    """Keep nothing open between commands (see the module's docstring)."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()
    channel_layers.backends.clear()


if __name__ == "__main__":
    main(int(sys.argv[1]))
