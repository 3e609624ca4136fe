"""The reports of the R4 hot path, on the asyncpg connection under the unit of work: one read for
everything R4 needs, one write.

The write puts the report row, its anomalies, their outbox rows and the Idempotency-Key record in
one `WITH ... INSERT` statement. A single statement is atomic on its own, so a submission runs in an
atomic-statement unit of work (no BEGIN/COMMIT round trips) and still commits the state and its
events together, or nothing. SQLAlchemy's statement compilation (a DML CTE is not cacheable) would
cost more than the database work, which is why this path speaks to asyncpg.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import JSONB

from diaodu_platform.events import Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored
from diaodu_platform.outbox import Outbox
from progress.adapters.tables import anomalies, platform, reports
from progress.domain.model import Month
from progress.domain.policy import Policy, policy_from_data
from progress.domain.validation import History

# The project, the policy, this month's report, the latest earlier report of the year, every earlier
# month (for the median) and whether the Idempotency-Key was used: one round trip. The policy comes
# as text, so that its parsed form is cached by its text.
CONTEXT = """
SELECT p.unit_code, p.total_investment,
       (SELECT data::text FROM progress_policy WHERE id = 1) AS policy,
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


class KeyAlreadyUsed(Exception):
    """A concurrent request with the same Idempotency-Key stored its answer first."""


class RevisionTaken(Exception):
    """A concurrent submission stored this revision of the project's month first."""


@dataclass(frozen=True)
class ReportContext:
    """What R4 needs to judge a report of one project and month."""

    unit_code: str
    policy: Policy
    history: History
    key_used: bool = False
    current_report_id: str | None = None
    current_revision: int | None = None


@functools.lru_cache(maxsize=8)
def _parsed_policy(text: str | None) -> Policy:
    return policy_from_data(json.loads(text) if text else None)


def _context(row: asyncpg.Record) -> ReportContext:
    return ReportContext(
        unit_code=row["unit_code"],
        policy=_parsed_policy(row["policy"]),
        history=History(
            total_investment=row["total_investment"],
            earlier_month=Month.parse(row["earlier_month"]) if row["earlier_month"] else None,
            earlier_ytd=row["earlier_ytd"],
            earlier_months=tuple(row["earlier_months"] or ()),
        ),
        key_used=bool(row["key_used"]),
        current_report_id=row["current_report_id"],
        current_revision=row["current_revision"],
    )


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


class ReportStore:
    """The report revisions of the unit of work, read and written on its asyncpg connection."""

    def __init__(self, driver: Callable[[], Awaitable[asyncpg.Connection]], outbox: Outbox) -> None:
        self._driver = driver
        self._outbox = outbox

    async def head(self, report_id: str) -> tuple[str, Month] | None:
        """The project and month of a report, or None when there is no such report."""
        row = await (await self._driver()).fetchrow(REPORT_HEAD, report_id)
        return None if row is None else (row["project_id"], Month.parse(row["month"]))

    async def context(
        self, project_id: str, month: Month, idem: IdempotencyRequest | None = None
    ) -> ReportContext | None:
        """None when the project is not registered (not projected from the registry)."""
        row = await (await self._driver()).fetchrow(
            CONTEXT,
            project_id,
            str(month),
            str(month.year_start),
            idem.principal if idem else None,
            idem.key if idem else None,
        )
        return None if row is None else _context(row)

    async def add(
        self,
        *,
        report: dict[str, Any],
        anomaly_rows: list[dict[str, Any]],
        events: Sequence[Event],
        key: tuple[IdempotencyRequest, Stored] | None = None,
    ) -> None:
        """The revision, its anomalies, their events and the key record, in one statement (R4, §5)."""
        outbox = self._outbox.rows(events)
        try:
            await write_report(
                await self._driver(),
                report=report,
                anomaly_rows=anomaly_rows,
                outbox=outbox,
                idempotency=key[0].row(key[1]) if key is not None else None,
            )
        except asyncpg.UniqueViolationError as exc:
            if key is not None and exc.constraint_name == "pk_idempotency_keys":
                raise KeyAlreadyUsed from exc
            raise RevisionTaken from exc
