"""The load balancer's documents: `/healthz` (alive) and `/readyz` (ready)."""

from __future__ import annotations

from typing import Literal, TypedDict

OK = "ok"


class LivenessDocument(TypedDict):
    status: Literal["ok"]


class ReadinessChecks(TypedDict):
    """Each dependency: "ok" or "error: <short reason>"."""

    database: str
    channel_layer: str


class ReadinessDocument(TypedDict):
    status: Literal["ready", "not_ready"]
    checks: ReadinessChecks


def liveness() -> LivenessDocument:
    return {"status": "ok"}


def readiness(checks: ReadinessChecks) -> ReadinessDocument:
    """Ready exactly when every check is "ok"."""
    ready = all(result == OK for result in checks.values())
    return {"status": "ready" if ready else "not_ready", "checks": checks}
