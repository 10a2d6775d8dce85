"""Hosts of our own on one machine: network namespaces joined to the root
namespace by veth pairs, each with an address of its own, made by the test
and torn down after it (`ip netns`, `ip link`; needs root and iproute2).

The root namespace plays the services' host (PostgreSQL, Redis, nginx) at
SERVICES; each namespace reaches it through its default route, and its
own loopback holds nothing, so a process that assumed 127.0.0.1 for a
service would find nothing there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass

import pytest


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


@dataclass
class Host:
    name: str  # the namespace
    address: str  # its own address, on its end of the veth pair
    root_link: str  # the veth end in the root namespace

    def command(self, *argv: str) -> list[str]:
        """`argv` run inside this host."""
        return ["ip", "netns", "exec", self.name, *argv]


class Network:
    """A services address in the root namespace and hosts around it."""

    def __init__(self, count: int) -> None:
        if shutil.which("ip") is None:
            pytest.fail("iproute2's `ip` is missing (apt-get install iproute2)")
        if os.geteuid() != 0:
            pytest.fail("network namespaces need root")
        tag = os.getpid() % 10_000
        # One /24 per test run, /30s inside it: .4k+1 root end, .4k+2 host.
        self.prefix = f"10.{77 + tag % 100}.{tag % 250}"
        self.services = f"{self.prefix}.250"
        self.hosts: list[Host] = []
        self._tag = tag
        self._count = count

    def __enter__(self) -> Network:
        try:
            _ip("addr", "add", f"{self.services}/32", "dev", "lo")
            for n in range(self._count):
                self.hosts.append(self._add_host(n))
        except BaseException:
            self.__exit__()
            raise
        return self

    def _add_host(self, n: int) -> Host:
        host = Host(
            name=f"seats-{self._tag}-{n}",
            address=f"{self.prefix}.{4 * n + 2}",
            root_link=f"sv{self._tag}x{n}",
        )
        root_end = f"{self.prefix}.{4 * n + 1}"
        inner = f"sh{self._tag}x{n}"
        _ip("netns", "add", host.name)
        self.hosts.append(host)  # torn down from here on, even if half made
        _ip("link", "add", host.root_link, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", host.name)
        _ip("addr", "add", f"{root_end}/30", "dev", host.root_link)
        _ip("link", "set", host.root_link, "up")
        run = ["netns", "exec", host.name, "ip"]
        _ip(*run, "link", "set", "lo", "up")
        _ip(*run, "addr", "add", f"{host.address}/30", "dev", inner)
        _ip(*run, "link", "set", inner, "up")
        _ip(*run, "route", "add", "default", "via", root_end)
        self.hosts.pop()
        return host

    def __exit__(self, *exc: object) -> None:
        for host in self.hosts:
            subprocess.run(["ip", "link", "del", host.root_link], capture_output=True)
            subprocess.run(["ip", "netns", "del", host.name], capture_output=True)
        subprocess.run(
            ["ip", "addr", "del", f"{self.services}/32", "dev", "lo"],
            capture_output=True,
        )
        self.hosts = []


class Forwarder:
    """A TCP port on `listen` that carries every connection to `target`
    (PostgreSQL listens on loopback only; the hosts reach it through this)."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(listen)
        self.server.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()
        self.server.close()
        self.thread.join(timeout=5)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    source.settimeout(None)
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def wait_for(address: str, port: int, process: subprocess.Popen, log) -> None:
    """Return once address:port accepts connections; fail if the process exits."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log()[-3000:]}")
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listened on {address}:{port}:\n{log()[-3000:]}")
