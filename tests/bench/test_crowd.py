"""bench.crowd: live seat maps pointed at a running server, timed and audited."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from bench.crowd import socket_url, verdict
from devtools.processes import ROOT, live_server
from devtools.wsclient import SeatMapClient, ignore, seat_map_path


def test_the_socket_url_follows_the_server_url():
    assert socket_url("http://127.0.0.1:8000", 2) == (
        "ws://127.0.0.1:8000/ws/events/2/?snapshot=live"
    )
    assert socket_url("https://tickets.example.org/", 7).startswith(
        "wss://tickets.example.org/ws/events/7/"
    )
    for bad in ("127.0.0.1:8000", "ftp://host/", "http://"):
        with pytest.raises(ValueError):
            socket_url(bad, 1)


def test_the_verdict_sets_each_figure_beside_its_target():
    lines = verdict(
        {
            "seconds_to_last_snapshot": 3.2,
            "bytes_per_snapshot": 512,
            "failed": 0,
            "version": 9,
            "connected": 40,
            "frames": 120,
            "audit": {"clients": 40, "in_step": 39},
        }
    )
    assert lines[0].startswith("map for every socket after 3.20 s")
    assert "target ≤ 10 s" in lines[0]
    assert "512" in lines[1] and "4,096" in lines[1]
    assert "39 of 40 sockets" in lines[3] and "version 9" in lines[3]


def test_a_crowd_on_a_running_server_is_timed_and_every_socket_audited(tmp_path):
    """30 sockets stay while another client holds and releases a seat; every
    one of them must have seen both changes, and the command says so."""
    with live_server(tmp_path / "server", seeds=[("--allow-single-seats",)]) as server:
        out = tmp_path / "crowd.json"

        def clicks() -> None:
            import asyncio

            async def hold_and_release() -> None:
                url = server.worker.ws_url(seat_map_path(1))
                client = await SeatMapClient.open(url, ignore)
                await asyncio.sleep(1.5)  # the crowd is in by then
                await client.request({"type": "hold", "seat_ids": [5]})
                await client.request({"type": "release", "seat_ids": [5]})
                await client.close()

            asyncio.run(hold_and_release())

        clicker = threading.Thread(target=clicks)
        clicker.start()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.crowd",
                "--url",
                server.url,
                "--event",
                "1",
                "--sockets",
                "30",
                "--stay",
                "4",
                "--json",
                str(out),
            ],
            cwd=ROOT,
            env=server.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        clicker.join(timeout=30)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["connected"] == 30 and result["failed"] == 0
    assert result["version"] >= 2  # the hold and the release
    assert result["audit"]["in_step"] == 30
    assert result["audit"]["missing_versions"] == 0
    assert result["frames"] >= 60  # both changes, to every socket
    assert "30 of 30 sockets" in done.stdout
