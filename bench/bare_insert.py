"""The ceiling the ingest is compared with: a bare asyncpg insert of the same report row plus its
outbox row, one statement each (as the progress hot path writes them), into a scratch database
migrated with progress's own migrations (same tables, indexes and outbox NOTIFY trigger).

No HTTP, no validation read, no JSON parsing, rows and event payloads built before the clock starts:
what PostgreSQL and the asyncpg driver can take at the same concurrency.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from diaodu_platform.events import Envelope
from diaodu_platform.migrations import upgrade
from diaodu_platform.runtime import database_url, ensure_database
from diaodu_platform.topology import SERVICES
from progress.domain.model import ConstructionStatus
from progress.events import ReportSubmitted

REPORT_COLUMNS = (
    "report_id",
    "revision",
    "project_id",
    "unit_code",
    "month",
    "investment_month",
    "investment_ytd",
    "investment_cumulative",
    "construction_status",
    "actual_start_date",
    "procedures",
    "stats_registered",
    "stats_registered_on",
    "signed_amount",
    "funds_in_place",
    "narrative",
    "attachments",
    "flags",
    "late",
    "reason",
    "submitted_at",
    "submitted_by",
)
OUTBOX_COLUMNS = ("topic", "key", "headers", "payload")
JSONB = {"procedures", "attachments", "flags", "headers"}


def statement() -> str:
    n = len(REPORT_COLUMNS)
    report = ", ".join(f"${i + 1}" for i in range(n))
    outbox = ", ".join(f"${n + i + 1}" for i in range(len(OUTBOX_COLUMNS)))
    return (
        f"WITH r AS (INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) VALUES ({report})), "
        f"o AS (INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) VALUES ({outbox})) SELECT 1"
    )


def row(body: dict[str, Any], unit_code: str, topic: str) -> list[Any]:
    """The arguments of one report (as progress stores it) and its report_submitted outbox row."""
    now = datetime.now(UTC)
    report: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "revision": 1,
        "project_id": body["project_id"],
        "unit_code": unit_code,
        "month": body["month"],
        "investment_month": Decimal(str(body["investment_month"])),
        "investment_ytd": Decimal(str(body["investment_ytd"])),
        "investment_cumulative": Decimal(str(body["investment_cumulative"])),
        "construction_status": body["construction_status"],
        "actual_start_date": None,
        "procedures": [],
        "stats_registered": body["stats_registered"],
        "stats_registered_on": None,
        "signed_amount": None,
        "funds_in_place": None,
        "narrative": body.get("narrative"),
        "attachments": [],
        "flags": [],
        "late": True,
        "reason": None,
        "submitted_at": now,
        "submitted_by": "bench",
    }
    event = ReportSubmitted.model_construct(
        **{k: v for k, v in report.items() if k not in ("reason", "construction_status")},
        construction_status=ConstructionStatus(body["construction_status"]),
    )
    env = Envelope.wrap(event)
    outbox = {"topic": topic, "key": env.key, "headers": env.headers(), "payload": env.value().decode()}
    values = {**report, **outbox}
    return [
        json.dumps(values[c], ensure_ascii=False) if c in JSONB else values[c]
        for c in (*REPORT_COLUMNS, *OUTBOX_COLUMNS)
    ]


async def bare_insert_rate(
    admin_dsn: str, bodies: list[tuple[dict[str, Any], str]], *, concurrency: int, topic: str
) -> tuple[float, float]:
    """(rows per second, seconds) for `bodies` ((report body, unit code)) at `concurrency` connections."""
    name = f"bench_bare_{uuid.uuid4().hex[:10]}"
    await ensure_database(admin_dsn, name, fresh=True)
    url = database_url(admin_dsn, name)
    try:
        await asyncio.to_thread(upgrade, SERVICES["progress"].directory, url)
        args = [row(body, unit, topic) for body, unit in bodies]
        sql = statement()
        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
        queue: asyncio.Queue[list[Any]] = asyncio.Queue()
        for a in args:
            queue.put_nowait(a)

        async def worker() -> None:
            async with pool.acquire() as conn:
                while not queue.empty():
                    await conn.execute(sql, *queue.get_nowait())

        try:
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
        finally:
            await pool.close()
        return len(args) / elapsed, elapsed
    finally:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
