"""Statements: the SQL statements each seat operation sends, on both databases.

Fewer statements are fewer round trips inside the transaction that holds
the row locks, so contention queues shorter. Counted by
`bench.scenarios.statements_job` (Django's own query capture), and held to
a budget by tests/seats/test_statement_counts.py. Then the CPU per hold or
release, this process's and (PostgreSQL on this machine) its backend's.
"""

from __future__ import annotations

import json

from bench.servers import PG_DATABASE

NAME = "statements"
TITLE = "SQL statements per operation"


async def run(ctx) -> dict:
    runs = []
    for backend in ("sqlite", "postgresql"):
        pairs = {"BENCH_CPU_PAIRS": str(ctx.options.cpu_pairs)}
        if backend == "sqlite":
            stack = ctx.stack("statements-sqlite", **pairs)
        else:
            stack = ctx.stack(
                "statements-postgresql",
                DATABASE_URL=ctx.postgres_database(),
                **pairs,
            )
        try:
            if backend == "sqlite":
                stack.migrate()
            out = stack.python("-m", "bench.scenarios.statements_job", timeout=300)
        finally:
            stack.stop_all()
            if backend == "postgresql":
                PG_DATABASE.drop()
        result = json.loads(out.strip().splitlines()[-1])
        result["backend"] = backend
        runs.append(result)
        cpu = result["cpu"]
        ctx.progress(
            f"statements {backend}: {result['counts']}; CPU per operation "
            f"{cpu['process_ms']:.2f} ms, database {cpu['database_ms']}"
        )
    return {"runs": runs}
