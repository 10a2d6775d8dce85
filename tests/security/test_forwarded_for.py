"""Behind the shipped nginx, a client cannot choose its own address.

The client runs on a host of its own (a network namespace with its own
address), nginx and a worker on the services' host. The worker trusts only
its proxy: forged X-Forwarded-For values (other addresses, loopback) leave
the client with the address nginx saw, so the per-address socket limit
still holds and loopback's exemption is not for sale.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devtools.processes import ROOT, Project, free_port
from devtools.wsclient import seat_map_path
from realtime.consumers import CLOSE_TOO_MANY_CONNECTIONS
from tests.hosts.network import Network
from tests.hosts.nginx import Nginx

BURST = 4
KNOCKS = 12


@pytest.fixture
def network():
    with Network(1) as net:
        yield net


def knock_from(host, url: str, count: int) -> list:
    done = subprocess.run(
        host.command(sys.executable, "-m", "tests.security.knock", url, str(count)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("trusted", ["--proxy-headers", "SEAT_TRUSTED_PROXIES"])
def test_forged_forwarded_for_does_not_escape_the_limit(tmp_path, network, trusted):
    (client_host,) = network.hosts
    settings = {
        "DJANGO_ALLOWED_HOSTS": network.services,
        "SEAT_CONNECTION_BURST": str(BURST),
        "SEAT_CONNECTIONS_PER_MINUTE": "1",
    }
    extra = ["--no-sweeper", "--no-deliveries"]
    if trusted == "--proxy-headers":
        extra.append("--proxy-headers")
    else:
        settings["SEAT_TRUSTED_PROXIES"] = "127.0.0.1, 192.0.2.0/24"
    project = Project(tmp_path / "project", **settings)
    port = free_port()
    nginx = Nginx(
        tmp_path / "nginx", network.services, free_port(), [f"127.0.0.1:{port}"]
    )
    try:
        project.migrate()
        event_id = project.new_event("Forged", 2, 4)
        project.serve(*extra, port=port)
        nginx.start()
        url = f"ws://{network.services}:{nginx.port}{seat_map_path(event_id)}"
        outcomes = knock_from(client_host, url, KNOCKS)
    finally:
        nginx.stop()
        project.stop_all()
    assert outcomes[:BURST] == ["snapshot"] * BURST, outcomes
    assert outcomes[BURST:] == [CLOSE_TOO_MANY_CONNECTIONS] * (KNOCKS - BURST), outcomes
