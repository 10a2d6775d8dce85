"""A crowd on a server you run: thousands of live seat maps on one event, by hand.

    python manage.py seed_demo --force --name Arena --rows 100 --seats-per-row 50
    python -m bench.crowd --url http://127.0.0.1:8000 --event 2 --sockets 5000 --stay 60

The storm scenario (bench/scenarios/storm.py) starts a server of its own;
this points the same load generators at one that is already serving (`make
run`, a cluster behind nginx), so you can click in a browser while the crowd
is on the event. It opens `--sockets` sockets as the bundled page does
(`?snapshot=live`), 50 at a time per generator process, and reports the
time from the first connect to the last snapshot, the sockets refused or
dropped, and the bytes of a snapshot. The sockets then stay open `--stay`
seconds, reading every broadcast; at the end one more socket reads the
event's version and every socket of the crowd is audited against it: each
must have seen every change up to that version (bench.audit).

Only 127.0.0.1 and other addresses you give: it is a load generator.
Connections from loopback are exempt from the per-address limit
(SEAT_LIMIT_LOOPBACK); from elsewhere, raise SEAT_CONNECTIONS_PER_MINUTE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.clients import GeneratorPool
from devtools.processes import raise_open_files_limit
from devtools.wsclient import SeatMapClient, ignore, seat_map_path

# The storm's targets (bench/scenarios/storm.py), repeated for the verdict.
TARGET_SECONDS = 10.0
TARGET_BYTES = 4 * 1024


def socket_url(base: str, event_id: int) -> str:
    """The live seat map socket of `event_id` on the server at `base` (http[s]://)."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--url must be http://host:port or https://…, not {base!r}")
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{seat_map_path(event_id, live=True)}"


async def crowd(url: str, sockets: int, processes: int, stay: float) -> dict:
    """Opens the crowd, keeps it `stay` seconds, audits it; the figures."""
    with tempfile.TemporaryDirectory(prefix="crowd-") as logs:
        pool = await GeneratorPool.start(processes, Path(logs))
        try:
            opened = await pool.connect([url], sockets, watch=True)
            say(
                f"{opened['connected']} of {sockets} sockets have their map "
                f"{opened['seconds']:.2f} s after the first connect "
                f"({opened['failed']} failed); staying {stay:g} s"
            )
            await asyncio.sleep(stay)
            last = await SeatMapClient.open(url, ignore)
            version = int(last.snapshot.get("version", 0))
            await last.close()
            audit = await pool.audit(version, wait=10.0)
            stats = await pool.stats()
            await pool.close_sockets()
        finally:
            await pool.stop()
    connected = opened["connected"]
    return {
        "sockets": sockets,
        "connected": connected,
        "failed": opened["failed"],
        "seconds_to_last_snapshot": round(opened["seconds"], 2),
        "bytes_per_snapshot": round(opened["snapshot_bytes"] / max(1, connected)),
        "version": version,
        "frames": stats["frames"],
        "audit": audit,
    }


def verdict(result: dict) -> list[str]:
    """Lines for a person: each figure beside its target."""
    audit = result["audit"]
    in_step = audit.get("in_step", 0)
    lines = [
        f"map for every socket after {result['seconds_to_last_snapshot']:.2f} s "
        f"(target ≤ {TARGET_SECONDS:g} s)",
        f"bytes per snapshot: {result['bytes_per_snapshot']:,} "
        f"(target ≤ {TARGET_BYTES:,})",
        f"refused or dropped on arrival: {result['failed']} (target 0)",
        f"in step at version {result['version']}: {in_step} of "
        f"{audit.get('clients', result['connected'])} sockets "
        f"({result['frames']:,} frames read meanwhile)",
    ]
    return lines


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.crowd", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server")
    parser.add_argument("--event", type=int, required=True, help="the event's id")
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=2, help="load generators")
    parser.add_argument(
        "--stay", type=float, default=30.0, help="seconds the crowd stays"
    )
    parser.add_argument("--json", type=Path, help="where the figures go, as JSON")
    options = parser.parse_args(argv)
    if options.sockets < 1 or options.processes < 1 or options.stay < 0:
        parser.error("--sockets and --processes must be positive, --stay not negative")
    try:
        url = socket_url(options.url, options.event)
    except ValueError as error:
        parser.error(str(error))
    raise_open_files_limit()
    result = asyncio.run(crowd(url, options.sockets, options.processes, options.stay))
    for line in verdict(result):
        print(line)
    if options.json:
        options.json.write_text(json.dumps(result, indent=2))
    whole = result["connected"] == options.sockets and result["failed"] == 0
    return 0 if whole and result["audit"].get("out_of_step", 1) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
