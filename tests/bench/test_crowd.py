"""bench.crowd: live seat maps pointed at a running server, timed and audited."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

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
        crowd = subprocess.Popen(
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
                "8",
                "--json",
                str(out),
            ],
            cwd=ROOT,
            env=server.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # It says so on stderr once every socket has its map; the clicks
            # come after that, within its stay.
            said = ""
            while "have their map" not in said and crowd.poll() is None:
                said = crowd.stderr.readline()
            assert "30 of 30 sockets have their map" in said, said
            asyncio.run(hold_and_release(server.worker.ws_url(seat_map_path(1))))
            stdout, stderr = crowd.communicate(timeout=120)
        finally:
            if crowd.poll() is None:
                crowd.kill()
                crowd.communicate()
    assert crowd.returncode == 0, stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["connected"] == 30 and result["failed"] == 0
    assert result["version"] >= 2  # the hold and the release
    assert result["audit"]["in_step"] == 30
    assert result["audit"]["missing_versions"] == 0
    assert result["frames"] >= 60  # both changes, to every socket
    assert "30 of 30 sockets" in stdout


async def hold_and_release(url: str) -> None:
    client = await SeatMapClient.open(url, ignore)
    try:
        held = await client.request({"type": "hold", "seat_ids": [5]})
        assert held["type"] == "hold.ok", held
        released = await client.request({"type": "release", "seat_ids": [5]})
        assert released["type"] == "release.ok", released
    finally:
        await client.close()
