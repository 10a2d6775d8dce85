"""Past one machine: two workers and the sweeper as three hosts, each in a
network namespace of its own with its own address, against PostgreSQL and
Redis on another address, with the shipped nginx in front.

A hold on one host reaches sockets on the other and through nginx, and
holds that run out are released by the sweeper's host and announced on
both: nothing in a worker or the sweeper assumes loopback (inside a
namespace, 127.0.0.1 holds nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest

from devtools.processes import ROOT, Project, free_port
from devtools.wsclient import SeatMapClient, seat_map_path
from tests.faults.conftest import RedisServer, database  # noqa: F401 (fixture)
from tests.faults.watching import Watcher
from tests.hosts.network import Forwarder, Host, Network, wait_for
from tests.hosts.nginx import Nginx

WORKER_PORT = 8001


@pytest.fixture
def network():
    with Network(3) as net:
        yield net


def spawn(project: Project, host: Host, name: str, *args: str) -> subprocess.Popen:
    """`manage.py *args` on `host`; stopped with the project's processes."""
    with open(project.var_dir / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            host.command(sys.executable, "manage.py", *args),
            cwd=ROOT,
            env=project.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    project.processes.append(process)
    return process


async def expired_on(watcher: Watcher, timeout: float) -> None:
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    while not any(
        f.get("type") == "seats.changed" and f.get("reason") == "expired"
        for f in watcher.frames
    ):
        assert asyncio.get_running_loop().time() < deadline, watcher.frames[-5:]
        await asyncio.sleep(0.05)


async def test_two_worker_hosts_and_a_sweeper_host_behind_nginx(
    tmp_path,
    network,
    database,  # noqa: F811
):
    services = network.services
    host_a, host_b, sweeper_host = network.hosts
    # Each part is stopped however far the start got (in reverse order).
    cleanup = contextlib.ExitStack()
    clients = []
    try:
        redis_server = RedisServer(tmp_path / "redis.log", host=services)
        redis_server.start()
        cleanup.callback(redis_server.kill)
        local = urlparse(database.url)
        pg_port = free_port()
        forwarder = Forwarder((services, pg_port), (local.hostname, local.port or 5432))
        cleanup.callback(forwarder.stop)
        nginx = Nginx(
            tmp_path / "nginx",
            services,
            free_port(),
            [f"{h.address}:{WORKER_PORT}" for h in (host_a, host_b)],
        )
        cleanup.callback(nginx.stop)
        project = Project(
            tmp_path / "project",
            DATABASE_URL=local._replace(
                netloc=f"{local.username}@{services}:{pg_port}"
            ).geturl(),
            REDIS_URL=redis_server.url,
            DATABASE_POOL_SIZE="4",
            DJANGO_ALLOWED_HOSTS=",".join([services, host_a.address, host_b.address]),
            # nginx reaches each worker host from its end of that host's veth pair.
            SEAT_TRUSTED_PROXIES=f"{network.prefix}.0/24",
            SEAT_HOLD_SECONDS="2",
            SEAT_SWEEP_SECONDS="0.5",
        )
        cleanup.callback(project.stop_all)
        # The operator's one-off commands run on the services' host.
        operator = Project(tmp_path / "operator", DATABASE_URL=database.url)
        cleanup.callback(operator.stop_all)
        operator.migrate()
        event_id = operator.new_event("Hosts", 1, 6)
        for host in (host_a, host_b):
            name = f"serve-{host.name}"
            worker = spawn(
                project, host, name,
                "serve", "--no-sweeper", "--no-deliveries",
                "--host", host.address, "--port", str(WORKER_PORT),
            )  # fmt: skip
            wait_for(host.address, WORKER_PORT, worker, lambda n=name: project.log(n))
        spawn(project, sweeper_host, "sweeper", "run_sweeper")
        nginx.start()

        path = seat_map_path(event_id)
        on_a, on_b, through = Watcher(), Watcher(), Watcher()
        a = await SeatMapClient.open(f"ws://{host_a.address}:{WORKER_PORT}{path}", on_a)
        b = await SeatMapClient.open(f"ws://{host_b.address}:{WORKER_PORT}{path}", on_b)
        proxied = await SeatMapClient.open(
            f"ws://{services}:{nginx.port}{path}", through
        )
        clients += [a, b, proxied]
        seats = [seat["id"] for seat in a.snapshot["seats"]]
        assert proxied.snapshot["version"] == a.snapshot["version"] == 0

        # A hold on host A reaches host B and the socket behind nginx, and back.
        for version, (client, seat) in enumerate(
            ((a, seats[0]), (b, seats[1]), (proxied, seats[2])), start=1
        ):
            reply = await client.request({"type": "hold", "seat_ids": [seat]})
            assert reply["type"] == "hold.ok", reply
            for watcher in (on_a, on_b, through):
                await watcher.until(version, ("seats.changed",), timeout=10)

        # The holds run out; the sweeper's host releases them and every
        # host's sockets hear it.
        for watcher in (on_a, on_b, through):
            await expired_on(watcher, timeout=20)

        # A hold token never reaches nginx's access log, however the client
        # spells its path; nor does a buyer's name looked up at the box
        # office, in the lookup's address or in the referer of the next page.
        for spelled in ("/api/v1/%68olds/SECRET-1/seats", "/api/v1/HOLDS/SECRET-2"):
            fetch(f"{nginx.url}{spelled}")
        lookup = f"{nginx.url}/box-office/bookings/?q=SECRET-Buyer"
        fetch(lookup)
        fetch(f"{nginx.url}/box-office/", referer=lookup)
        # nginx logs a request after it has answered it: the last line may
        # come a moment after its answer.
        referred = f'"{nginx.url}/box-office/bookings/"'
        deadline = time.monotonic() + 10
        while referred not in nginx.log("access") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        access_log = nginx.log("access")
        assert "%68olds" in access_log or "/api/v1/holds/<token>" in access_log
        assert "/box-office/bookings/ " in access_log, access_log
        assert referred in access_log, access_log
        assert "SECRET" not in access_log, access_log
    finally:
        for client in clients:
            await client.close()
        cleanup.close()


def fetch(url: str, *, referer: str | None = None) -> int:
    """The status of a GET (an error status is an answer too)."""
    request = urllib.request.Request(
        url, headers={"Referer": referer} if referer else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
