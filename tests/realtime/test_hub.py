"""The hub's own duties: joining, leaving, renewing groups, and reading on."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer

import metrics
from realtime import hub as hub_module
from realtime.hub import Hub, event_group, get_hub
from seats import services
from tests.realtime.conftest import event_client, eventually, local_sockets


class Recorder:
    def __init__(self):
        self.frames: list[str] = []

    async def deliver(self, text: str) -> None:
        self.frames.append(text)


@pytest.fixture
async def own_hub():
    """A hub of the test's loop that no consumer uses; its tasks end with the test."""
    hub = Hub(asyncio.get_running_loop())
    yield hub
    joins = [known.joining for known in hub._groups.values()]
    for task in (hub._link, hub._reader, hub._renewer, *joins):
        if task is not None:
            task.cancel()


# Leaving a group


@pytest.mark.django_db(transaction=True)
async def test_a_group_stays_joined_for_a_while_after_its_last_socket(event):
    """A quick reconnect must not race a leave against a join."""
    group = event_group(event.id)
    client, _ = await event_client(event.id)
    await client.close()
    await asyncio.sleep(0.1)
    assert get_hub().channel in get_channel_layer().groups[group]


@pytest.mark.django_db(transaction=True)
async def test_the_hub_leaves_a_group_after_its_last_socket_and_can_rejoin(
    event, seat_ids, monkeypatch
):
    monkeypatch.setattr(hub_module, "LINGER_SECONDS", 0.05)
    group = event_group(event.id)
    layer, hub = get_channel_layer(), get_hub()
    client, _ = await event_client(event.id)
    assert hub.channel in layer.groups[group]

    await client.close()
    await eventually(lambda: group not in layer.groups)
    assert group not in hub.groups()
    assert local_sockets(hub, group) == 0

    # A socket that comes later joins the group again and hears its changes.
    again, _ = await event_client(event.id)
    assert hub.channel in layer.groups[group]
    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder="h_bob", seat_ids=seat_ids[:1]
    )
    change = await again.recv_type("seats.changed")
    assert [s["id"] for s in change["seats"]] == seat_ids[:1]
    await again.close()


# Renewing joined groups


@pytest.mark.django_db(transaction=True)
async def test_a_socket_connected_longer_than_the_group_expiry_still_hears_changes(
    event, seat_ids, settings
):
    """The layer forgets a member after group_expiry; the hub joins again in time."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": 1},
        }
    }
    channel_layers.backends.clear()  # build the layer with this configuration
    assert get_channel_layer().group_expiry == 1
    listener, _ = await event_client(event.id)
    joined_by = time.time()
    # The layer drops a membership whose join time is below int(now) - expiry:
    # from here on, one that was never renewed is gone.
    while int(time.time()) - 1 <= joined_by:
        await asyncio.sleep(0.05)

    await database_sync_to_async(services.hold_seats)(
        event_id=event.id, holder="h_bob", seat_ids=seat_ids[:1]
    )

    change = await listener.recv_type("seats.changed")
    assert [s["id"] for s in change["seats"]] == seat_ids[:1]
    await listener.close()


# Joining


class FlakyJoins:
    """Makes the layer's first `failures` group_add calls fail (once `gate` is
    set, if one is given, so others can queue up behind the join)."""

    def __init__(self, layer, failures: int = 1, gate: asyncio.Event | None = None):
        self.real = layer.group_add
        self.failures = failures
        self.gate = gate
        self.calls = 0

    async def __call__(self, group: str, channel: str) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            if self.gate is not None:
                await self.gate.wait()
            raise ConnectionError("channel layer unreachable")
        await self.real(group, channel)


async def test_a_failed_join_is_retried_while_the_socket_is_served(
    own_hub, monkeypatch
):
    """With the layer down, subscribe returns (the socket gets its snapshot);
    the join goes on in the background and later broadcasts arrive."""
    gate = asyncio.Event()
    joins = FlakyJoins(own_hub.layer, failures=2, gate=gate)
    monkeypatch.setattr(own_hub.layer, "group_add", joins)
    monkeypatch.setattr(hub_module, "JOIN_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(hub_module, "RETRY_FIRST_SECONDS", 0.01)
    subscriber = Recorder()

    await own_hub.subscribe("event.5", subscriber)  # returns, not joined yet
    assert "event.5" not in own_hub.layer.groups
    # Local changes reach it meanwhile.
    await own_hub.dispatch({"group": "event.5", "text": "local"})
    assert subscriber.frames == ["local"]

    gate.set()
    await eventually(lambda: joins.calls == 3)
    await eventually(lambda: "event.5" in own_hub.layer.groups)
    assert own_hub.channel in own_hub.layer.groups["event.5"]
    await own_hub.layer.group_send(
        "event.5", {"type": "test.frame", "group": "event.5", "text": "hello"}
    )
    await eventually(lambda: subscriber.frames == ["local", "hello"])


async def test_sockets_arriving_during_a_join_share_it(own_hub, monkeypatch):
    gate = asyncio.Event()
    joins = FlakyJoins(own_hub.layer, failures=1, gate=gate)
    monkeypatch.setattr(own_hub.layer, "group_add", joins)
    monkeypatch.setattr(hub_module, "RETRY_FIRST_SECONDS", 0.01)
    joining = asyncio.create_task(own_hub.subscribe("event.6", Recorder()))
    await eventually(lambda: joins.calls == 1)
    # A second socket arrives while the join is under way: it waits for it.
    waiting = asyncio.create_task(own_hub.subscribe("event.6", Recorder()))
    await eventually(lambda: local_sockets(own_hub, "event.6") == 2)
    assert not waiting.done()

    gate.set()
    await asyncio.gather(joining, waiting)

    assert joins.calls == 2  # one failure, one retry: not one join per socket
    assert own_hub.channel in own_hub.layer.groups["event.6"]
    await own_hub.subscribe("event.6", Recorder())
    assert joins.calls == 2


async def test_the_first_socket_of_a_process_is_served_while_the_layer_is_down(
    own_hub, monkeypatch
):
    """No channel of its own yet (Redis down at the first connection): the
    hub keeps asking for one and joins its groups once it has it."""
    real = own_hub.layer.new_channel
    layer_up = asyncio.Event()
    calls = []

    async def flaky_new_channel(prefix: str = "specific.") -> str:
        calls.append(prefix)
        if not layer_up.is_set():
            raise ConnectionError("channel layer unreachable")
        return await real(prefix)

    monkeypatch.setattr(own_hub.layer, "new_channel", flaky_new_channel)
    monkeypatch.setattr(hub_module, "JOIN_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(hub_module, "RETRY_FIRST_SECONDS", 0.01)
    subscriber = Recorder()
    await own_hub.subscribe("event.7", subscriber)
    await eventually(lambda: len(calls) >= 2)  # retried, never gave up
    assert own_hub.channel is None

    layer_up.set()
    await eventually(lambda: "event.7" in own_hub.layer.groups)
    await own_hub.layer.group_send(
        "event.7", {"type": "test.frame", "group": "event.7", "text": "hello"}
    )
    await eventually(lambda: subscriber.frames == ["hello"])


async def test_a_group_left_before_its_join_succeeded_stops_trying(
    own_hub, monkeypatch
):
    joins = FlakyJoins(own_hub.layer, failures=10**6)
    monkeypatch.setattr(own_hub.layer, "group_add", joins)
    monkeypatch.setattr(hub_module, "JOIN_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(hub_module, "RETRY_FIRST_SECONDS", 0.01)
    monkeypatch.setattr(hub_module, "RETRY_MAX_SECONDS", 0.01)
    monkeypatch.setattr(hub_module, "LINGER_SECONDS", 0)
    gone = Recorder()
    await own_hub.subscribe("event.9", gone)
    own_hub.unsubscribe("event.9", gone)
    await eventually(lambda: "event.9" not in own_hub._groups)
    calls = joins.calls
    await asyncio.sleep(0.1)
    assert joins.calls == calls
    assert local_sockets(own_hub, "event.9") == 0


# Reading


class ScriptedLayer:
    """A layer whose receive() follows a script: exceptions raise, dicts arrive,
    and after the script it waits forever. Every outcome goes to `log`."""

    def __init__(self, script: list, log: list):
        self.script = list(script)
        self.log = log

    async def new_channel(self, prefix: str = "specific.") -> str:
        return prefix + "test"

    async def group_add(self, group: str, channel: str) -> None:
        pass

    async def receive(self, channel: str) -> dict:
        if not self.script:
            self.log.append("waiting")
            await asyncio.Event().wait()
        step = self.script.pop(0)
        if isinstance(step, Exception):
            self.log.append("failed")
            raise step
        self.log.append(step["text"])
        return step


class SleepRecorder:
    """Stands in for the asyncio module inside realtime.hub: sleeps are logged
    (and cut short); everything else is asyncio's own."""

    def __init__(self, log: list):
        self.log = log
        self.seconds: list[float] = []

    def __getattr__(self, name: str):
        return getattr(asyncio, name)

    async def sleep(self, seconds: float) -> None:
        self.log.append("slept")
        self.seconds.append(seconds)
        await asyncio.sleep(0)


async def test_the_reader_retries_at_once_then_backs_off_and_reads_on(
    own_hub, monkeypatch
):
    """One failed read may be a timeout (retry now); two in a row are an outage
    (pause before the next try). Either way the next message is delivered."""
    log: list[str] = []
    frame = {"type": "test.frame", "group": "event.8"}
    own_hub.layer = ScriptedLayer(
        [
            OSError("read timed out"),
            {**frame, "text": "one"},
            OSError("connection refused"),
            OSError("connection refused"),
            {**frame, "text": "two"},
        ],
        log,
    )
    sleeps = SleepRecorder(log)
    monkeypatch.setattr(hub_module, "asyncio", sleeps)
    subscriber = Recorder()
    await own_hub.subscribe("event.8", subscriber)

    await eventually(lambda: log[-1:] == ["waiting"])

    assert subscriber.frames == ["one", "two"]
    assert log == [
        "failed",
        "one",
        "failed",  # a single failure after a success: retried at once
        "failed",
        "slept",
        "two",
        "waiting",
    ]
    assert sleeps.seconds[0] > 0


class Pusher(Recorder):
    """A live socket that offers the hub a plain call to its transport."""

    def __init__(self):
        super().__init__()
        self.pushed: list[str] = []
        self.push = self.pushed.append


async def test_the_fan_out_pushes_to_sockets_that_offer_it_and_delivers_to_the_rest(
    own_hub,
):
    live, waiting = Pusher(), Recorder()
    for subscriber in (live, waiting):
        await own_hub.subscribe("staff", subscriber)
    await own_hub.dispatch({"group": "staff", "type": "activity", "text": "t1"})
    assert (live.pushed, live.frames) == (["t1"], [])
    assert waiting.frames == ["t1"]


# Fan-out in chunks


class Logged:
    """A live socket whose pushes go to a log shared with the test."""

    def __init__(self, name: str, log: list[str]):
        self.push = lambda text: log.append(f"{name}:{text}")


async def _ticking(log: list[str], stop: asyncio.Event) -> None:
    """Marks each turn of the loop in the log until stopped."""
    while not stop.is_set():
        log.append("tick")
        await asyncio.sleep(0)


async def _subscribed(hub: Hub, log: list[str], count: int) -> list[Logged]:
    sockets = [Logged(f"s{i}", log) for i in range(count)]
    for socket in sockets:
        await hub.subscribe("staff", socket)
    return sockets


@pytest.mark.parametrize(("chunk", "runs"), [(2, [2, 2, 1]), (0, [5])])
async def test_a_fan_out_to_many_sockets_lets_the_loop_turn_between_chunks(
    own_hub, settings, chunk, runs
):
    """Clicks that arrive while thousands of sockets are written to are read
    between two chunks, not after the last socket; with chunks off (0),
    every socket is written in one pass."""
    settings.SEAT_FANOUT_CHUNK = chunk
    log: list[str] = []
    await _subscribed(own_hub, log, 5)
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticking(log, stop))
    await asyncio.sleep(0)
    log.clear()
    await own_hub.dispatch({"group": "staff", "type": "activity", "text": "t1"})
    stop.set()
    await ticker

    writes = [entry for entry in log if entry != "tick"]
    assert sorted(writes) == [f"s{i}:t1" for i in range(5)]
    marks = "".join("w" if entry != "tick" else "." for entry in log)
    assert [len(run) for run in marks.split(".") if run] == runs


async def test_fan_outs_to_one_group_never_overlap(own_hub, settings):
    """A frame sent while an earlier one is still written in chunks (a
    heartbeat during a broadcast) reaches every socket after the earlier."""
    settings.SEAT_FANOUT_CHUNK = 2
    log: list[str] = []
    await _subscribed(own_hub, log, 5)
    first = asyncio.create_task(
        own_hub.dispatch({"group": "staff", "type": "activity", "text": "t1"})
    )
    await asyncio.sleep(0)  # the first chunk of t1 is written
    assert 0 < len(log) < 5
    await own_hub.dispatch({"group": "staff", "type": "activity", "text": "t2"})
    await first

    for i in range(5):
        assert [e for e in log if e.startswith(f"s{i}:")] == [f"s{i}:t1", f"s{i}:t2"]


async def test_a_fan_out_counts_only_its_writing_not_the_turns_between(
    own_hub, settings, monkeypatch
):
    """The broadcast window stretches by the time spent writing
    (realtime.streams.window_after); other work done between two chunks is
    not writing."""
    settings.SEAT_FANOUT_CHUNK = 2
    clock = [100.0]
    monkeypatch.setattr(hub_module.time, "perf_counter", lambda: clock[0])

    class Slow:
        """A socket whose write takes one second of the (fake) clock."""

        def push(self, text: str) -> None:
            clock[0] += 1.0

    for _ in range(5):
        await own_hub.subscribe("staff", Slow())
    known = own_hub._groups["staff"]

    async def other_work() -> None:
        for _ in range(10):
            clock[0] += 60.0  # a minute of the loop's other work, per turn
            await asyncio.sleep(0)

    worker = asyncio.create_task(other_work())
    spent = await own_hub._fan_out(known, "t1")
    await worker
    assert spent == 5.0
    assert clock[0] > 100.0 + 5.0 + 60.0


# The fan-out's two clocks


def _sample(metric, name: str) -> float:
    return next(
        sample.value
        for family in metric.collect()
        for sample in family.samples
        if sample.name == name
    )


def _write_clocks() -> tuple[float, float, float]:
    """(fan-outs timed, their wall seconds, the thread's CPU seconds) so far."""
    return (
        _sample(metrics.BROADCAST_WRITE, "seats_broadcast_write_seconds_count"),
        _sample(metrics.BROADCAST_WRITE, "seats_broadcast_write_seconds_sum"),
        _sample(metrics.BROADCAST_WRITE_CPU, "seats_broadcast_write_cpu_seconds_total"),
    )


class Waiting:
    """A socket whose write waits 50 ms without using the CPU (a worker
    whose thread waits for a core looks so to its clocks)."""

    def push(self, text: str) -> None:
        time.sleep(0.05)


class Busy:
    """A socket whose write uses 50 ms of this thread's CPU."""

    def push(self, text: str) -> None:
        until = time.thread_time() + 0.05
        while time.thread_time() < until:
            pass


@pytest.mark.parametrize(
    ("socket", "cpu_between"), [(Waiting, (0, 0.05)), (Busy, (0.09, 1))]
)
async def test_a_fan_out_is_timed_by_the_wall_and_by_the_threads_cpu(
    own_hub, socket, cpu_between
):
    """seats_broadcast_write_seconds times each fan-out by the wall clock,
    seats_broadcast_write_cpu_seconds_total by the serving thread's CPU:
    their ratio is the share of its fan-outs a worker had a core for."""
    for _ in range(2):
        await own_hub.subscribe("staff", socket())
    count, wall, cpu = _write_clocks()
    await own_hub.dispatch({"group": "staff", "type": "activity", "text": "t1"})
    count_after, wall_after, cpu_after = _write_clocks()

    assert count_after == count + 1
    assert wall_after - wall >= 0.1  # two sockets, 50 ms each
    low, high = cpu_between
    assert low <= cpu_after - cpu < high
    # Two clocks of their own: the CPU clock may run a tick ahead.
    assert cpu_after - cpu <= wall_after - wall + 0.005
