"""Children forked from the fork server behave as `python argv...` started fresh."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from devtools import forking
from devtools.forking import ForkedProcess

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    report = {
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "flavour": os.environ.get("FLAVOUR"),
        "main": __name__,
        "stdout": [type(sys.stdout.buffer).__name__, sys.stdout.line_buffering],
        "stdin": sys.stdin.read() if mode == "stdin" else None,
        "open_files": list(resource.getrlimit(resource.RLIMIT_NOFILE)),
    }
    if mode == "fds":
        seen = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
        report["fds"] = [fd for fd in seen if os.path.exists(f"/proc/self/fd/{fd}")]
        for fd in map(int, sys.argv[2:]):
            with os.fdopen(fd, "w") as passed:
                passed.write(str(fd))
    print(json.dumps(report))
    if mode == "fail":
        raise ValueError("as asked")
    if mode == "exit":
        sys.exit(int(sys.argv[2]))
    if mode == "sleep":
        import time
        time.sleep(60)
    """
)


# The children here run a small script, not the project: measuring them
# would cost each a coverage start and a data file for nothing.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}


@pytest.fixture(autouse=True)
def forked(monkeypatch):
    """Forking on, whatever SEATS_FORK_SERVER says for the rest of the suite."""
    monkeypatch.setattr(forking, "_enabled", True)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "child.py"
    path.write_text(CHILD)
    return path


def start(script, tmp_path, *args: str, env: dict | None = None, **streams):
    out = tmp_path / f"out-{'-'.join(args) or 'plain'}.log"
    with open(out, "ab") as log:
        process = forking.popen(
            [str(script), *args],
            cwd=tmp_path,
            env=env or dict(ENV, FLAVOUR="forked"),
            stdout=log,
            stderr=subprocess.STDOUT,
            **streams,
        )
    return process, out


def report_of(process, out) -> dict:
    assert process.wait(timeout=30) == 0, out.read_text()
    return json.loads(out.read_text())


def test_a_child_runs_as_a_script_with_its_own_argv_environment_and_directory(
    script, tmp_path
):
    process, out = start(script, tmp_path, "a", "b", stdin=subprocess.DEVNULL)
    assert isinstance(process, ForkedProcess)
    report = report_of(process, out)
    assert report["argv"] == ["a", "b"]
    assert report["cwd"] == str(tmp_path)
    assert report["flavour"] == "forked"
    assert report["main"] == "__main__"
    # The caller's limit, not whatever the fork server started with.
    assert report["open_files"] == list(resource.getrlimit(resource.RLIMIT_NOFILE))


def test_a_child_module_runs_as_main(tmp_path):
    out = tmp_path / "out.log"
    with open(out, "ab") as log:
        process = forking.popen(
            ["-m", "json.tool", "--compact"],
            cwd=tmp_path,
            env=dict(ENV),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    assert isinstance(process, ForkedProcess)
    process.stdin.write(b'{"a": [1, 2]}\n')
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    assert out.read_text() == '{"a":[1,2]}\n'


def test_standard_streams_are_made_for_the_child(script, tmp_path):
    unbuffered, out = start(
        script, tmp_path, "stdin", stdin=subprocess.DEVNULL, env=dict(ENV)
    )
    assert report_of(unbuffered, out)["stdout"] == ["FileIO", False]
    assert json.loads(out.read_text())["stdin"] == ""
    plain = {k: v for k, v in ENV.items() if k != "PYTHONUNBUFFERED"}
    buffered, out = start(script, tmp_path, "buffered", env=plain)
    assert report_of(buffered, out)["stdout"] == ["BufferedWriter", False]


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
    with open(tmp_path / "out.log", "ab") as log:
        process = forking.popen(
            [str(script), "fds", str(write_answers)],
            cwd=tmp_path,
            env=dict(ENV),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_answers,),
        )
    os.close(write_answers)
    process.stdin.close()
    with os.fdopen(read_answers) as answers:
        assert answers.read() == str(write_answers)
    report = report_of(process, tmp_path / "out.log")
    # Nothing of the fork server's own reaches the child.
    assert report["fds"] == sorted({0, 1, 2, write_answers})


def free_descriptors(count: int) -> list[int]:
    """The lowest descriptor numbers this process has free."""
    free = []
    for fd in range(3, 256):
        try:
            os.fstat(fd)
        except OSError:
            free.append(fd)
            if len(free) == count:
                return free
    raise AssertionError("no free descriptors below 256")


def test_passed_descriptors_on_the_numbers_the_fork_server_receives_on(
    script, tmp_path
):
    """The fork server receives a request's descriptors on its lowest free
    numbers: passed descriptors that want low numbers must still land on
    them, each with its own file."""
    pipes = [os.pipe() for _ in range(6)]
    wanted = free_descriptors(6)
    readers = []
    for fd, (read_end, write_end) in zip(wanted, pipes, strict=True):
        os.dup2(write_end, fd)
        os.close(write_end)
        readers.append(read_end)
    process, out = start(
        script, tmp_path, "fds", *map(str, wanted), pass_fds=tuple(wanted)
    )
    for fd, read_end in zip(wanted, readers, strict=True):
        os.close(fd)
        with os.fdopen(read_end) as passed:
            assert passed.read() == str(fd)
    assert report_of(process, out)["fds"] == sorted({0, 1, 2, *wanted})


def test_many_files_raises_the_childs_limit_to_the_hard_one(tmp_path, script):
    out = tmp_path / "out.log"
    with open(out, "ab") as log:
        process = forking.popen(
            [str(script)],
            cwd=tmp_path,
            env=dict(ENV),
            stdout=log,
            many_files=True,
        )
    soft, hard = report_of(process, out)["open_files"]
    assert soft == hard == resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def test_children_started_from_several_threads_at_once_get_their_own_argv(
    script, tmp_path
):
    def one(n: int) -> list[str]:
        process, out = start(script, tmp_path, f"thread-{n}")
        return report_of(process, out)["argv"]

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(one, range(8))) == [[f"thread-{n}"] for n in range(8)]


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits for whoever adopted it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_child_outliving_its_fork_server_can_still_be_stopped(script, tmp_path):
    client = forking._Client()
    try:
        with open(tmp_path / "out.log", "ab") as log:
            process = client.spawn(
                [str(script), "sleep"],
                tmp_path,
                dict(ENV),
                None,
                log,
                subprocess.STDOUT,
                (),
                False,
            )
        client.process.kill()
        client.process.wait(timeout=30)
        assert process.poll() is None and running(process.pid)  # orphaned
        process.terminate()
        assert process.wait(timeout=30) == 255  # its status went with its parent
        assert not running(process.pid)
    finally:
        client.close()
    assert not client.log.exists()  # nothing was written there


@pytest.mark.parametrize(
    "argv, env_extra",
    [
        (["-c", "print('hi')"], {}),  # interpreter options are not forked
        (["{script}"], {"PYTHONHASHSEED": "7"}),  # nor another interpreter set-up
        (["{script}"], {"TZ": "Pacific/Auckland"}),  # read as `time` is imported
    ],
)
def test_what_a_fork_cannot_give_is_started_fresh(script, tmp_path, argv, env_extra):
    argv = [a.format(script=script) for a in argv]
    env = dict(ENV, FLAVOUR="fresh") | env_extra
    with open(tmp_path / "out.log", "ab") as log:
        process = forking.popen(
            argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    assert isinstance(process, subprocess.Popen)
    assert process.wait(timeout=30) == 0
    assert process.args[0] == sys.executable
