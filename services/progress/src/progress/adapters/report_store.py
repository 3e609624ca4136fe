"""SQL of the report hot path, on the asyncpg driver: one read for everything R4 needs, one write.

The write puts the report row, its anomalies, their outbox rows and the Idempotency-Key record in
one `WITH ... INSERT` statement. A single statement is atomic on its own, so a submission needs no
BEGIN/COMMIT round trips and still commits the state and its events together, or nothing.
A submission is therefore two round trips; SQLAlchemy's statement compilation (a DML CTE is not
cacheable) would cost more than the database work, which is why this path speaks to asyncpg.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import JSONB

from diaodu_platform.events import Envelope
from progress.adapters.tables import anomalies, platform, reports

# The project, the policy, this month's report, the latest earlier report of the year, every earlier
# month (for the median) and whether the Idempotency-Key was used: one round trip.
CONTEXT = """
SELECT p.unit_code, p.total_investment,
       (SELECT data FROM progress_policy WHERE id = 1) AS policy,
       (SELECT true FROM idempotency_keys k WHERE k.principal = $4 AND k.key = $5) AS key_used,
       cur.report_id AS current_report_id, cur.revision AS current_revision,
       prev.month AS earlier_month, prev.investment_ytd AS earlier_ytd,
       hist.months AS earlier_months
FROM projects p
LEFT JOIN LATERAL (
    SELECT r.report_id, r.revision FROM reports r
    WHERE r.project_id = p.id AND r.month = $2 ORDER BY r.revision DESC LIMIT 1) cur ON true
LEFT JOIN LATERAL (
    SELECT r.month, r.investment_ytd FROM reports r
    WHERE r.project_id = p.id AND r.month < $2 AND r.month >= $3
    ORDER BY r.month DESC, r.revision DESC LIMIT 1) prev ON true
LEFT JOIN LATERAL (
    SELECT array_agg(h.investment_month ORDER BY h.month) AS months FROM (
        SELECT DISTINCT ON (r.month) r.month, r.investment_month FROM reports r
        WHERE r.project_id = p.id AND r.month < $2 ORDER BY r.month, r.revision DESC) h) hist ON true
WHERE p.id = $1
"""
REPORT_HEAD = "SELECT project_id, month FROM reports WHERE report_id = $1 LIMIT 1"


async def read_context(
    conn: asyncpg.Connection,
    *,
    project_id: str,
    month: str,
    year_start: str,
    principal: str | None = None,
    key: str | None = None,
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(CONTEXT, project_id, month, year_start, principal, key)
    return row


async def report_head(conn: asyncpg.Connection, report_id: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(REPORT_HEAD, report_id)
    return row


def outbox_rows(topic: str, envelopes: list[Envelope]) -> list[dict[str, Any]]:
    """Outbox rows as diaodu_platform.outbox.Outbox.add_envelopes writes them."""
    return [
        {"topic": topic, "key": e.key, "headers": e.headers(), "payload": e.value().decode()}
        for e in envelopes
    ]


_JSONB = {
    t.name: frozenset(c.name for c in t.columns if isinstance(c.type, JSONB))
    for t in (reports, anomalies, platform.outbox, platform.idempotency)
}


def _json(value: Any) -> str:
    return "[]" if value == [] else json.dumps(value, ensure_ascii=False, default=str)


@functools.lru_cache(maxsize=64)
def _write_sql(shape: tuple[tuple[str, str, tuple[str, ...], int], ...]) -> str:
    """`WITH r AS (INSERT ...), o AS (INSERT ...) ... SELECT 1` for (cte, table, columns, rows) parts."""
    n = 0
    ctes = []
    for name, table, columns, count in shape:
        tuples = []
        for _ in range(count):
            tuples.append("(" + ", ".join(f"${n + i + 1}" for i in range(len(columns))) + ")")
            n += len(columns)
        ctes.append(f"{name} AS (INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(tuples)})")
    return f"WITH {', '.join(ctes)} SELECT 1"


async def write_report(
    conn: asyncpg.Connection,
    *,
    report: dict[str, Any],
    anomaly_rows: list[dict[str, Any]],
    outbox: list[dict[str, Any]],
    idempotency: dict[str, Any] | None,
) -> None:
    """Insert the report revision, its anomalies, its events and the key record in one statement."""
    parts: list[tuple[str, Table, list[dict[str, Any]]]] = [
        ("r", reports, [report]),
        ("o", platform.outbox, outbox),
    ]
    if anomaly_rows:
        parts.append(("a", anomalies, anomaly_rows))
    if idempotency is not None:
        parts.append(("k", platform.idempotency, [idempotency]))
    args: list[Any] = []
    shape = []
    for name, table, rows in parts:
        columns = tuple(rows[0])
        jsonb = _JSONB[table.name]
        for row in rows:
            args.extend(_json(row[c]) if c in jsonb else row[c] for c in columns)
        shape.append((name, table.name, columns, len(rows)))
    await conn.execute(_write_sql(tuple(shape)), *args)


async def _reset(conn: asyncpg.Connection) -> None:
    """Between requests the hot path leaves no session state behind; only an open transaction would
    need undoing (asyncpg's default reset costs a round trip per request)."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


_pool_lock = asyncio.Lock()


async def report_pool(app: FastAPI) -> asyncpg.Pool:
    """The hot path's own asyncpg pool, in autocommit, created on first use."""
    pool: asyncpg.Pool | None = getattr(app.state, "report_pool", None)
    if pool is None:
        async with _pool_lock:
            pool = getattr(app.state, "report_pool", None)
            if pool is None:
                s = app.state.settings
                pool = await asyncpg.create_pool(
                    s.asyncpg_dsn, min_size=1, max_size=s.db_pool_size, reset=_reset
                )
                app.state.report_pool = pool
    return pool


@asynccontextmanager
async def driver(app: FastAPI) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the hot path's pool (a dead one is replaced by the pool on its next use)."""
    async with (await report_pool(app)).acquire() as conn:
        yield conn


async def close_report_pool(app: FastAPI) -> None:
    """Background task of the service: closes the hot path's pool when the service stops."""
    try:
        await asyncio.Event().wait()
    finally:
        pool = getattr(app.state, "report_pool", None)
        if pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pool.close(), 5)
