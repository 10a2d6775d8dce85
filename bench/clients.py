"""The load generator: asyncio and `websockets`, in processes of its own.

`python -m bench.clients` is a generator process: it reads one JSON command
per line on stdin and answers on stdout, so the runner can spread thousands
of sockets (devtools' `SeatMapClient`) over several processes and merge
their timings. All timings are `time.monotonic()` (CLOCK_MONOTONIC: one clock
for every process of the machine) except where a server's wall-clock
`held_until` is compared, which uses `time.time()`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.arrivals import Arrivals, is_heartbeat, is_seats_changed
from bench.audit import Track, audit, merged, versions_of
from bench.polling import poll
from bench.watchers import READ_DELAYS, Watcher, open_watchers
from devtools.processes import ROOT, raise_open_files_limit
from devtools.wsclient import (
    CONNECT_CONCURRENCY,
    SeatMapClient,
    close_many,
    open_many,
)

# -- what a generator process does ----------------------------------------


class Generator:
    """The commands a generator process answers; each returns a JSON reply."""

    def __init__(self, emit: Callable[[dict], None]):
        self.emit = emit
        self.arrivals = Arrivals(emit)
        self.clients: list[SeatMapClient | Watcher] = []
        self.clickers: list[SeatMapClient] = []
        self.tracks: list[Track] = []
        self.frames_all = 0

    async def op_connect(
        self,
        urls: list[str],
        count: int,
        watch: bool = True,
        concurrency: int = CONNECT_CONCURRENCY,
    ) -> dict:
        """`count` more sockets: watchers, whose arrivals are timed, or
        clickers (`watch` false), who act in `contend`. All are audited."""
        started = time.monotonic()
        # Watchers only receive: lean sockets (bench.watchers), so the
        # generator's CPU goes to the clicks and the servers keep the rest.
        opener = open_watchers if watch else open_many
        errors: Counter[str] = Counter()
        clients, failed = await opener(
            urls,
            count,
            on_open=lambda snapshot: self._tracked(snapshot, watch),
            concurrency=concurrency,
            errors=errors,
        )
        for client in clients:
            # Audits go by the tracks; a 5,000-seat snapshot kept per socket
            # would be gigabytes over a storm.
            client.snapshot = {}
        self.clients += clients
        if watch:
            self.arrivals.watchers += len(clients)
        else:
            self.clickers += clients
        return {
            "connected": len(self.clients),
            "failed": failed,
            # Why, for the report of a failed run: the last error of each.
            "errors": dict(errors.most_common(5)),
            "seconds": time.monotonic() - started,
            "snapshot_bytes": sum(c.snapshot_bytes for c in clients),
        }

    def _tracked(self, snapshot: dict, watch: bool) -> Callable[[str, float], None]:
        track = Track(snapshot.get("version", 0))
        self.tracks.append(track)
        arrivals = self.arrivals

        def on_frame(text: str, now: float) -> None:
            if is_heartbeat(text):
                return
            self.frames_all += 1
            if watch:
                arrivals.frames += 1
            if is_seats_changed(text):
                first, last = versions_of(text)
                new = track.saw(first, last)
                if watch and new is not None:
                    arrivals.saw(new, last, now)

        return on_frame

    async def op_audit(self, version: int, wait: float) -> dict:
        """Waits up to `wait` seconds for every socket to reach `version`; the audit."""
        started = time.monotonic()
        while time.monotonic() - started < wait:
            if all(t.caught_up(version) for t in self.tracks):
                break
            await asyncio.sleep(0.05)
        # Every arrival reported before the audit is answered: the runner
        # reads the arrivals once it has the audit.
        self.arrivals.settle()
        result = audit(self.tracks, version, sum(c.closed for c in self.clients))
        result["waited_seconds"] = round(time.monotonic() - started, 2)
        return result

    async def op_cpu(self) -> dict:
        """This process's CPU seconds so far (user + system)."""
        times = os.times()
        return {"cpu_seconds": times.user + times.system}

    async def op_stats(self) -> dict:
        open_now = sum(not c.closed for c in self.clients)
        return {
            "frames": self.frames_all,
            "watcher_frames": self.arrivals.frames,
            # How long watchers' frames waited to be read: a histogram, so
            # the processes' add up (bench.watchers.ReadDelays).
            "read_delay_counts": list(READ_DELAYS.counts),
            "open": open_now,
            "clients": len(self.clients),
        }

    async def op_close(self) -> dict:
        stats = await self.op_stats()
        await close_many(self.clients)
        self.clients = []
        self.clickers = []
        self.tracks = []
        self.arrivals.watchers = 0
        READ_DELAYS.clear()
        return stats

    async def op_contend(
        self,
        seat_ids: list[int],
        seconds: float,
        start_at: float,
        max_seats: int,
        seed: int,
        book_share: float = 0.0,
        pace: float | None = None,
    ) -> dict:
        """Each clicker holds 1..max_seats random seats, then books them (a
        `book_share` of the time) or releases them, and again until time is up.

        Without `pace` each clicker acts as soon as its last answer came (a
        closed loop: the load is whatever the server can answer). With it,
        each acts `pace` times a second on a schedule of its own (an open
        loop: the load is offered, as people's clicks are), and a round trip
        runs from the moment the action was due, so a server that falls
        behind shows its backlog in the round trips instead of hiding it by
        slowing the clicks down.
        """
        rng = random.Random(seed)
        result = {
            "hold_ok": 0,
            "release_ok": 0,
            "book_ok": 0,
            "conflicts": 0,
            "lost": 0,
            "errors": {},
            "rtt": {"hold": [], "release": [], "book": []},
        }
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        deadline = start_at + seconds

        interval = 1 / pace if pace else 0.0

        async def timed(
            client: SeatMapClient, kind: str, wanted: list[int], due: list[float]
        ) -> dict:
            if interval:
                await asyncio.sleep(max(0.0, due[0] - time.monotonic()))
                sent = due[0]
                due[0] += interval
            else:
                sent = time.monotonic()
            reply = await client.request({"type": kind, "seat_ids": wanted})
            result["rtt"][kind].append(time.monotonic() - sent)
            if reply["type"] == "error":
                code = reply.get("code", "?")
                if code == "seats_unavailable":
                    result["conflicts"] += 1
                else:
                    result["errors"][code] = result["errors"].get(code, 0) + 1
            return reply

        async def churn(client: SeatMapClient) -> None:
            # The first action of each paced clicker at a random moment of its
            # first interval: the clicks spread out, as people's do.
            due = [start_at + rng.random() * interval]
            try:
                while (
                    not client.closed
                    and (due[0] if interval else time.monotonic()) < deadline
                ):
                    wanted = rng.sample(seat_ids, rng.randint(1, max_seats))
                    hold = await timed(client, "hold", wanted, due)
                    if hold["type"] != "hold.ok":
                        continue
                    result["hold_ok"] += 1
                    then = "book" if rng.random() < book_share else "release"
                    if (await timed(client, then, wanted, due))["type"] == f"{then}.ok":
                        result[f"{then}_ok"] += 1
            except (ConnectionError, TimeoutError):
                result["lost"] += 1

        await asyncio.gather(*(churn(c) for c in self.clickers))
        if interval:
            # The schedule spans the run whether or not the last clicks
            # came back early: the rate is per second of the schedule.
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        result["elapsed"] = time.monotonic() - start_at
        return result

    async def op_poll(
        self,
        port: int,
        path: str,
        count: int,
        interval: float,
        seconds: float,
        start_at: float,
    ) -> dict:
        """`count` keep-alive HTTP clients, each GETting `path` every `interval`."""
        return await poll(port, path, count, interval, seconds, start_at)


async def serve_commands() -> None:
    """The generator process: JSON commands on stdin, JSON lines on stdout."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )

    def emit(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    generator = Generator(emit)
    running = set()

    async def run(command: dict) -> None:
        handler = getattr(generator, f"op_{command.pop('op')}")
        reply_id = command.pop("id")
        try:
            emit({"id": reply_id, "ok": True, "result": await handler(**command)})
        except Exception as error:
            emit({"id": reply_id, "ok": False, "error": repr(error)})

    while line := await reader.readline():
        task = asyncio.create_task(run(json.loads(line)))
        running.add(task)
        task.add_done_callback(running.discard)
    await close_many(generator.clients)


# -- the runner's side of a generator process --------------------------------


class GeneratorProcess:
    """One `python -m bench.clients` process, driven over its stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path):
        self.process = process
        self.log = log
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future] = {}
        self._all: dict[int, dict] = {}
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, log: Path) -> GeneratorProcess:
        with open(log, "ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.clients",
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                limit=64 * 1024 * 1024,
            )
        return cls(process, log)

    async def call(self, op: str, timeout: float = 600, **args) -> dict:
        command_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._replies[command_id] = future
        line = json.dumps({"op": op, "id": command_id, **args}) + "\n"
        self.process.stdin.write(line.encode())
        await self.process.stdin.drain()
        reply = await asyncio.wait_for(future, timeout)
        if not reply["ok"]:
            raise RuntimeError(f"generator {op} failed: {reply['error']}")
        return reply["result"]

    async def all_saw(self, version: int, timeout: float) -> dict | None:
        """When every watcher of this process had `version`, or None on timeout."""
        deadline = time.monotonic() + timeout
        while version not in self._all:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                pass
        return self._all.pop(version)

    def arrivals(self) -> dict[int, dict]:
        """Every version all of this process's watchers have had, so far."""
        return dict(self._all)

    async def stop(self) -> None:
        if self.process.returncode is None:
            try:
                self.process.stdin.close()
                await asyncio.wait_for(self.process.wait(), 20)
            except (TimeoutError, OSError):
                self.process.kill()
                await self.process.wait()
        self._reader.cancel()

    async def _read(self) -> None:
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if "id" in message:
                future = self._replies.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.get("event") == "all":
                self._all[message["version"]] = message
                self._arrived.set()
        for future in self._replies.values():
            if not future.done():
                future.set_exception(RuntimeError(f"generator died; see {self.log}"))


class GeneratorPool:
    """Several generator processes, used together."""

    def __init__(self, processes: list[GeneratorProcess]):
        self.processes = processes

    @classmethod
    async def start(cls, count: int, log_dir: Path) -> GeneratorPool:
        processes = []
        try:
            for i in range(count):
                processes.append(await GeneratorProcess.start(log_dir / f"gen-{i}.log"))
        except BaseException:
            await asyncio.gather(*(p.stop() for p in processes))
            raise
        return cls(processes)

    def __len__(self) -> int:
        return len(self.processes)

    async def call_all(self, op: str, args: list[dict] | None = None, **common):
        args = args or [{} for _ in self.processes]
        return await asyncio.gather(
            *(
                p.call(op, **common, **a)
                for p, a in zip(self.processes, args, strict=True)
            )
        )

    async def connect(
        self,
        urls: list[str],
        count: int,
        watch: bool = True,
        concurrency: int = CONNECT_CONCURRENCY,
        among: range | None = None,
    ) -> dict:
        """`count` more sockets split evenly over the processes (those
        `among`, if given), each opening at most `concurrency` at a time."""
        among = among if among is not None else range(len(self.processes))
        parts = split(count, len(among))
        shares = [parts[among.index(i)] if i in among else 0 for i in range(len(self))]
        results = await self.call_all(
            "connect",
            [{"count": n} for n in shares],
            urls=urls,
            watch=watch,
            concurrency=concurrency,
        )
        return {
            "connected": sum(r["connected"] for r in results),
            "failed": sum(r["failed"] for r in results),
            "errors": sum((Counter(r["errors"]) for r in results), Counter()),
            "seconds": max(r["seconds"] for r in results),
            "snapshot_bytes": sum(r["snapshot_bytes"] for r in results),
        }

    async def all_saw(self, version: int, timeout: float) -> list[dict | None]:
        return await asyncio.gather(
            *(p.all_saw(version, timeout) for p in self.processes)
        )

    async def audit(self, version: int, wait: float = 30.0) -> dict:
        """Every socket of every process against `version` (see bench.audit)."""
        results = await self.call_all(
            "audit", version=version, wait=wait, timeout=wait + 60
        )
        return merged(results)

    async def cpu_seconds(self) -> float:
        return sum(r["cpu_seconds"] for r in await self.call_all("cpu"))

    async def stats(self) -> dict:
        return added(await self.call_all("stats"))

    async def close_sockets(self) -> dict:
        return added(await self.call_all("close", timeout=120))

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes))


def added(results: list[dict]) -> dict:
    """The processes' stats added up: counts summed, histograms bucket by bucket."""
    total = {}
    for key, first in results[0].items():
        if isinstance(first, list):
            total[key] = [
                sum(column) for column in zip(*(r[key] for r in results), strict=True)
            ]
        else:
            total[key] = sum(r[key] for r in results)
    return total


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


if __name__ == "__main__":
    raise_open_files_limit()
    asyncio.run(serve_commands())
