"""Children forked from the fork server behave as `python argv...` started fresh."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from devtools import forkserver
from devtools.forkserver import ForkedProcess

CHILD = textwrap.dedent(
    """
    import json, os, sys
    report = {
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "flavour": os.environ.get("FLAVOUR"),
        "main": __name__,
        "reactor": "twisted.internet.reactor" in sys.modules,
    }
    if len(sys.argv) > 1 and sys.argv[1] == "echo":
        with os.fdopen(int(sys.argv[2]), "w") as answers:
            answers.write(sys.stdin.readline().upper())
    print(json.dumps(report))
    if len(sys.argv) > 1 and sys.argv[1] == "fail":
        raise ValueError("as asked")
    if len(sys.argv) > 1 and sys.argv[1] == "exit":
        sys.exit(int(sys.argv[2]))
    if len(sys.argv) > 1 and sys.argv[1] == "sleep":
        import time
        time.sleep(60)
    """
)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "child.py"
    path.write_text(CHILD)
    return path


def start(script, tmp_path, *args: str, env: dict | None = None, **streams):
    out = tmp_path / "out.log"
    with open(out, "ab") as log:
        process = forkserver.popen(
            [str(script), *args],
            cwd=tmp_path,
            env=env or dict(os.environ, FLAVOUR="forked"),
            stdout=log,
            stderr=subprocess.STDOUT,
            **streams,
        )
    return process, out


def test_a_child_runs_as_a_script_with_its_own_argv_environment_and_directory(
    script, tmp_path
):
    process, out = start(script, tmp_path, "a", "b")
    assert isinstance(process, ForkedProcess)
    assert process.wait(timeout=30) == 0
    report = json.loads(out.read_text())
    assert report == {
        "argv": ["a", "b"],
        "cwd": str(tmp_path),
        "flavour": "forked",
        "main": "__main__",
        "reactor": False,
    }


def test_a_child_module_runs_as_main(tmp_path):
    out = tmp_path / "out.log"
    with open(out, "ab") as log:
        process = forkserver.popen(
            ["-m", "json.tool", "--compact"],
            cwd=tmp_path,
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    assert isinstance(process, ForkedProcess)
    process.stdin.write(b'{"a": [1, 2]}\n')
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    assert out.read_text() == '{"a":[1,2]}\n'


def test_exit_codes_exceptions_and_signals_come_back_as_popen_gives_them(
    script, tmp_path
):
    exited, _ = start(script, tmp_path, "exit", "3")
    assert exited.wait(timeout=30) == 3
    failed, out = start(script, tmp_path, "fail")
    assert failed.wait(timeout=30) == 1
    assert "ValueError: as asked" in out.read_text()
    sleeping, _ = start(script, tmp_path, "sleep")
    with pytest.raises(subprocess.TimeoutExpired):
        sleeping.wait(timeout=0.2)
    assert sleeping.poll() is None
    sleeping.send_signal(signal.SIGTERM)
    assert sleeping.wait(timeout=30) == -signal.SIGTERM
    sleeping.kill()  # once it has ended, nothing is signalled
    assert sleeping.poll() == -signal.SIGTERM


def test_a_pipe_on_stdin_and_a_passed_descriptor_reach_the_child(script, tmp_path):
    read_answers, write_answers = os.pipe()
    process, _ = start(
        script,
        tmp_path,
        "echo",
        str(write_answers),
        stdin=subprocess.PIPE,
        pass_fds=(write_answers,),
    )
    os.close(write_answers)
    process.stdin.write(b"hello\n")
    process.stdin.flush()
    with os.fdopen(read_answers) as answers:
        assert answers.read() == "HELLO\n"
    assert process.wait(timeout=30) == 0


@pytest.mark.parametrize(
    "argv, env_extra",
    [
        (["-c", "print('hi')"], {}),  # interpreter options are not forked
        (["{script}"], {"PYTHONHASHSEED": "7"}),  # nor another interpreter set-up
    ],
)
def test_what_a_fork_cannot_give_is_started_fresh(script, tmp_path, argv, env_extra):
    argv = [a.format(script=script) for a in argv]
    env = dict(os.environ, FLAVOUR="fresh") | env_extra
    with open(tmp_path / "out.log", "ab") as log:
        process = forkserver.popen(
            argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    assert isinstance(process, subprocess.Popen)
    assert process.wait(timeout=30) == 0
    assert process.args[0] == sys.executable
