"""The shipped deploy/nginx.conf, run by a test with its own addresses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.processes import ROOT
from tests.hosts.network import wait_for

SHIPPED_NGINX = ROOT / "deploy" / "nginx.conf"
UPSTREAMS = "        server 127.0.0.1:8001;\n        server 127.0.0.1:8002;\n"


def nginx_config(listen: str, upstreams: list[str]) -> str:
    """deploy/nginx.conf as shipped, with this topology's addresses."""
    shipped = SHIPPED_NGINX.read_text()
    assert UPSTREAMS in shipped and "listen 8000;" in shipped
    servers = "".join(f"        server {u};\n" for u in upstreams)
    return shipped.replace(UPSTREAMS, servers).replace(
        "listen 8000;", f"listen {listen};"
    )


class Nginx:
    """nginx in the foreground with the shipped config; stopped by its PID."""

    def __init__(self, directory: Path, address: str, port: int, upstreams: list[str]):
        if shutil.which("nginx") is None:
            pytest.fail("nginx is missing (apt-get install nginx-light)")
        self.directory, self.address, self.port = directory, address, port
        (directory / "var").mkdir(parents=True, exist_ok=True)
        (directory / "nginx.conf").write_text(
            nginx_config(f"{address}:{port}", upstreams)
        )
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def log(self, name: str) -> str:
        path = self.directory / "var" / f"nginx-{name}.log"
        return path.read_text() if path.exists() else ""

    def start(self) -> None:
        config = self.directory / "nginx.conf"
        self.process = subprocess.Popen(
            ["nginx", "-p", f"{self.directory}/", "-c", str(config)]
            + ["-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.address, self.port, self.process, lambda: self.log("error"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
