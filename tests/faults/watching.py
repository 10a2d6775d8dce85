"""What a client of a faulty system saw: every frame, and waits on them."""

from __future__ import annotations

import asyncio
import json


class Watcher:
    """Every frame one client receives, parsed."""

    def __init__(self) -> None:
        self.frames: list[dict] = []

    def __call__(self, text: str, received_at: float) -> None:
        self.frames.append(json.loads(text))

    def version(self) -> int:
        """The highest version seen in a change or a heartbeat."""
        seen = [
            f["version"]
            for f in self.frames
            if f.get("type") in ("seats.changed", "heartbeat")
        ]
        return max(seen, default=0)

    async def until(self, version: int, kinds: tuple[str, ...], timeout: float):
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(
            f.get("type") in kinds and f.get("version", 0) >= version
            for f in self.frames
        ):
            assert asyncio.get_running_loop().time() < deadline, [
                (f.get("type"), f.get("version")) for f in self.frames
            ]
            await asyncio.sleep(0.05)
