"""Read routes on scoring's inputs: is a progress report (revision) in scoring's projection yet?

`GET /api/v1/inputs/reports/{report_id}` answers from the `reports` projection; with `wait_ms` it
holds the request until the wanted revision has been applied (or the wait runs out), which is how
bench/month_end_burst.py measures a report's POST → visible-in-scoring time without hammering the
service with polls: one watcher per process checks every waiting report in one query per tick.
`GET /api/v1/inputs/counts` counts what the projections hold (the benchmark's catch-up check).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from sqlalchemy import func, select

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.errors import Problem
from diaodu_platform.logging import get_logger
from scoring.adapters.tables import problems, reports, unit_returns

log = get_logger(__name__)
router = APIRouter(prefix="/inputs", tags=["inputs"])
# How often the watcher looks while reports are awaited: every millisecond while the oldest waiter
# is young, less often (at most 5 % of its wait, up to 20 ms) when reports take long to arrive.
TICK_S, MAX_TICK_S = 0.001, 0.02
HEADS = """
SELECT report_id, max(revision) AS revision, min(occurred_at) AS occurred_at,
       min(received_at) AS received_at
FROM reports WHERE report_id = ANY($1::varchar[]) GROUP BY report_id
"""


class ReportWatcher:
    """Resolves waiters when their report revision appears in the projection (one query per tick)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.waiting: dict[str, list[tuple[int, asyncio.Future[dict[str, Any]]]]] = {}
        self.since: dict[asyncio.Future[dict[str, Any]], float] = {}
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def watch(self, report_id: str, revision: int) -> asyncio.Future[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.waiting.setdefault(report_id, []).append((revision, fut))
        self.since[fut] = loop.time()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name="scoring-inputs-watcher")
        self.wake.set()
        return fut

    def forget(self, report_id: str, fut: asyncio.Future[dict[str, Any]]) -> None:
        self.since.pop(fut, None)
        left = [(r, f) for r, f in self.waiting.get(report_id, []) if f is not fut]
        if left:
            self.waiting[report_id] = left
        else:
            self.waiting.pop(report_id, None)

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()  # before looking: a waiter added from here on sets it again
            try:
                async with self.app.state.engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    while self.waiting:
                        for row in await raw.fetch(HEADS, list(self.waiting)):
                            self._resolve(dict(row))
                        await asyncio.sleep(self._tick())
            except Exception as exc:  # database away: the waiters time out, the next one retries
                log.warning("inputs watcher failed", error=str(exc))
                await asyncio.sleep(0.5)
                self.wake.set()

    def _tick(self) -> float:
        oldest = min(self.since.values(), default=None)
        if oldest is None:
            return TICK_S
        return min(MAX_TICK_S, max(TICK_S, 0.05 * (asyncio.get_running_loop().time() - oldest)))

    def _resolve(self, head: dict[str, Any]) -> None:
        pending = []
        for revision, fut in self.waiting.get(head["report_id"], []):
            if fut.done():
                continue
            if head["revision"] >= revision:
                fut.set_result(head)
            else:
                pending.append((revision, fut))
        if pending:
            self.waiting[head["report_id"]] = pending
        else:
            self.waiting.pop(head["report_id"], None)


def _watcher(app: FastAPI) -> ReportWatcher:
    watcher: ReportWatcher | None = getattr(app.state, "inputs_watcher", None)
    if watcher is None:
        watcher = app.state.inputs_watcher = ReportWatcher(app)
    return watcher


def _out(head: dict[str, Any]) -> dict[str, Any]:
    occurred: datetime = head["occurred_at"]
    received: datetime = head["received_at"]
    return {
        "report_id": head["report_id"],
        "revision": head["revision"],
        "occurred_at": occurred,
        "received_at": received,
        "lag_ms": round((received - occurred).total_seconds() * 1000, 3),
    }


@router.get("/reports/{report_id}", response_model=None)
async def report_input(
    report_id: str,
    request: Request,
    _: CurrentPrincipal,
    revision: Annotated[int, Query(ge=1, description="the revision wanted (default: any)")] = 1,
    wait_ms: Annotated[int, Query(ge=0, le=30000, description="wait up to this long for it")] = 0,
) -> dict[str, Any]:
    """The newest revision of a report that scoring has applied, with the report event's time and
    the time scoring applied its first revision; 404 if the wanted revision is not there (yet)."""
    async with request.app.state.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        row = await raw.fetchrow(HEADS, [report_id])
    head = dict(row) if row else None
    if (head is None or head["revision"] < revision) and wait_ms:
        watcher = _watcher(request.app)
        fut = watcher.watch(report_id, revision)
        done, _pending = await asyncio.wait({fut}, timeout=wait_ms / 1000)
        watcher.forget(report_id, fut)
        head = fut.result() if done else None
        fut.cancel()
    if head is None or head["revision"] < revision:
        raise Problem(
            404,
            "Not found",
            f"revision {revision} of report {report_id} has not reached scoring's projection"
            + (f" within {wait_ms} ms" if wait_ms else ""),
            type_="/problems/not-found",
        )
    return _out(head)


@router.get("/counts", response_model=None)
async def input_counts(
    request: Request,
    _: CurrentPrincipal,
    unit_prefix: Annotated[str | None, Query(max_length=64, description="unit codes starting so")] = None,
) -> dict[str, Any]:
    """How many report revisions, distinct reports, unit returns and problems the projections hold."""
    like = f"{unit_prefix}%" if unit_prefix else "%"
    async with request.app.state.engine.connect() as conn:
        rep = (
            await conn.execute(
                select(func.count(), func.count(func.distinct(reports.c.report_id))).where(
                    reports.c.unit_code.like(like)
                )
            )
        ).one()
        returns = (
            await conn.execute(select(func.count()).where(unit_returns.c.unit_code.like(like)))
        ).scalar_one()
        probs = (
            await conn.execute(select(func.count()).where(problems.c.owner_unit.like(like)))
        ).scalar_one()
    return {"report_revisions": rep[0], "reports": rep[1], "unit_returns": returns, "problems": probs}
