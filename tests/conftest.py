"""Shared fixtures: venues to play with, a fixed clock, a clean channel layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from channels.layers import channel_layers
from django.conf import settings
from django.utils import timezone

from devtools import forking
from plans.venues import create_venue
from seats.models import Event, Seat
from tests.frontend import browsers

# The real cluster (PostgreSQL, Redis, two workers), shared by tests/cluster
# and tests/faults: one session-wide instance, started on first use.
pytest_plugins = ["tests.cluster.fixtures"]

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

# `make test` spreads the suite over workers file by file (pytest-xdist,
# --dist loadfile). pytest-xdist 3.8 hands out the files with the most tests
# first and ignores this order: kept so (three fresh-clone runs of the whole
# suite with this order, 9:11 to 10:51, against 8:26 and 9:47 without, on
# the same days), since the heavy files here then all start at once. The
# order still decides within one file count, and for `TEST_WORKERS=0`.
FIRST = (
    "tests/faults/",
    "tests/frontend/test_waiting_room_browser.py",
    "tests/cluster/",
    "tests/frontend/",
    "tests/realtime/test_slow_client.py",
    "tests/api/test_health.py",
    "tests/seats/test_state_machine",
    "tests/realtime/test_origin.py",
)


# The benchmark harness's smoke run starts in the background as soon as the
# suite is collected (tests/bench/smoke_run.py); its checks go last and wait
# for it, instead of a worker waiting minutes for it at the start.
BENCH_SMOKE = "tests/bench/test_bench_smoke.py"


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    if path == BENCH_SMOKE:
        return len(FIRST) + 1
    for rank, prefix in enumerate(FIRST):
        if path.startswith(prefix):
            return rank
    return len(FIRST)


def pytest_configure(config):
    # Servers and commands start by fork from a process that has imported
    # the libraries already (devtools/forking.py): a second of CPU each.
    forking.enable()
    # Registered here too, so --strict-markers accepts it whatever pyproject says.
    config.addinivalue_line(
        "markers", "postgres: needs PostgreSQL; deselected on any other database"
    )


# Last among the hooks: after -k and -m have deselected what they do.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` need PostgreSQL (row locks, lock timeouts,
    advisory locks): with the embedded SQLite default they are deselected, not
    skipped; in the PostgreSQL pass (DATABASE_URL=postgres://...) they run, and
    fail loudly if the server is unreachable. Then the slow files go first,
    and the benchmark smoke run starts if its checks are among the tests."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        deselected = [item for item in items if item.get_closest_marker("postgres")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [i for i in items if not i.get_closest_marker("postgres")]
    items.sort(key=_rank)  # stable: the order within a rank is kept
    if not config.option.collectonly and any(
        item.nodeid.startswith(BENCH_SMOKE) for item in items
    ):
        from tests.bench import smoke_run

        smoke_run.start_once()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Tests of modules without a browser run with no event loop marked as
    running on this thread: the process's shared Chromium (its Playwright
    loop) stays out of their way (tests/frontend/browsers.py)."""
    if browsers.in_browser_module(item):
        return (yield)
    with browsers.set_aside():
        return (yield)


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def snapshot_at(event_id: int, viewer: str | None, now: datetime) -> dict:
    """The snapshot document a client would get at `now`, as plain JSON data."""
    from seats import selectors
    from wire import frames

    return dict(
        frames.snapshot(selectors.seat_map(event_id=event_id, viewer=viewer, now=now))
    )


@pytest.fixture
def hold_settings(settings):
    """Known limits, whatever the environment says."""
    settings.SEAT_HOLD_SECONDS = 300
    settings.SEAT_HOLD_MAX_SECONDS = 900
    settings.SEAT_MAX_PER_HOLDER = 10
    return settings


@pytest.fixture
def make_event(db):
    """Grid venues; the single-seat rule is off unless a test is about it."""

    def make(
        rows: int = 2,
        seats_per_row: int = 5,
        name: str = "Test Night",
        avoid_single_seats: bool = False,
    ) -> Event:
        return create_venue(
            name=name,
            rows=rows,
            seats_per_row=seats_per_row,
            premium_rows=1,
            avoid_single_seats=avoid_single_seats,
        )

    return make


@pytest.fixture
def event(make_event, hold_settings) -> Event:
    return make_event()


@pytest.fixture
def seat_ids(event) -> list[int]:
    return list(
        Seat.objects.filter(event=event).order_by("pk").values_list("id", flat=True)
    )


@pytest.fixture(autouse=True)
def fresh_layouts():
    """Each test reads layouts afresh: the process keeps them by (event id,
    layout version), and a flushed test database hands out the same ids to
    another test's different hall."""
    from seats import layouts

    with layouts._layouts_lock:
        layouts._layouts.clear()
    yield


@pytest.fixture(autouse=True)
def fresh_click_shortcuts():
    """Each test starts with no event remembered as needing the long way
    (services.one_call): ids come again in a flushed test database."""
    from seats.services import one_call

    one_call._long_events.clear()
    yield
    one_call._long_events.clear()


@pytest.fixture(autouse=True)
def fresh_channel_layers():
    """Each test gets new channel-layer instances (and so no stale groups)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def announcements():
    """Every SeatChange announced (after commit) while the test runs."""
    from seats.signals import seats_changed

    changes = []

    def record(sender, change, **kwargs):
        changes.append(change)

    seats_changed.connect(record, dispatch_uid="tests.announcements")
    yield changes
    seats_changed.disconnect(dispatch_uid="tests.announcements")


@pytest.fixture
def other_event(make_event) -> Event:
    return make_event(name="Other Night")


@pytest.fixture
def other_seat_ids(other_event) -> list[int]:
    return list(
        Seat.objects.filter(event=other_event)
        .order_by("pk")
        .values_list("id", flat=True)
    )


@pytest.fixture
def clock(monkeypatch):
    """Freeze `timezone.now()` for code that reads the clock itself (API, commands).

    Call the fixture's value with seconds after T0 to move the clock.
    """
    moment = {"now": later(0)}

    def set_to(seconds: float) -> None:
        moment["now"] = later(seconds)

    monkeypatch.setattr(timezone, "now", lambda: moment["now"])
    return set_to


@pytest.fixture
def presale(event):
    """'Members presale' (code PRESALE_CODE, no release time) keeping row A
    of `event` (tests/presales)."""
    from presales import staff
    from presales.selection import Selection

    opened = staff.open_channel(
        event_id=event.id, name="Members presale", code=PRESALE_CODE, now=T0
    )
    staff.keep(
        event_id=event.id,
        channel_id=opened.channel.pk,
        selection=Selection(rows="A"),
        now=T0,
    )
    return opened.channel


PRESALE_CODE = "Members-2026"


def ids_of(event: Event, *labels: str) -> list[int]:
    """The ids of these seats of the event, in the order named."""
    found = dict(
        Seat.objects.filter(event=event, label__in=labels).values_list("label", "id")
    )
    return [found[label] for label in labels]
