"""Statements: the SQL statements each seat operation sends, on both databases.

Fewer statements are fewer round trips inside the transaction that holds
the row locks, so contention queues shorter. Counted by
`bench.scenarios.statements_job` (Django's own query capture), and held to
a budget by tests/seats/test_statement_counts.py.
"""

from __future__ import annotations

import json

from bench.servers import PG_DATABASE

NAME = "statements"
TITLE = "SQL statements per operation"


async def run(ctx) -> dict:
    runs = []
    for backend in ("sqlite", "postgresql"):
        if backend == "sqlite":
            stack = ctx.stack("statements-sqlite")
        else:
            stack = ctx.stack(
                "statements-postgresql", DATABASE_URL=ctx.postgres_database()
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
        ctx.progress(f"statements {backend}: {result['counts']}")
    return {"runs": runs}
