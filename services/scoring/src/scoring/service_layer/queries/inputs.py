"""Is a progress report (revision) in scoring's projection yet? And how much do the projections hold?

A report's head answers from the `reports` projection; with `wait_ms` the request is held until the
wanted revision has been applied (or the wait runs out), which is how bench/month_end_burst.py
measures a report's POST → visible-in-scoring time without hammering the service with polls: one
watcher per process checks every waiting report in one query per tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import Problem
from diaodu_platform.logging import get_logger
from scoring.adapters.tables import problems, reports, unit_returns
from scoring.service_layer.read_models import InputCountsOut, ReportInputOut
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

log = get_logger(__name__)
# How often the watcher looks while reports are awaited: every millisecond while the oldest waiter
# is young, less often (at most 5 % of its wait, up to 20 ms) when reports take long to arrive.
TICK_S, MAX_TICK_S = 0.001, 0.02
HEADS = """
SELECT report_id, max(revision) AS revision, min(occurred_at) AS occurred_at,
       min(received_at) AS received_at
FROM reports WHERE report_id = ANY($1::varchar[]) GROUP BY report_id
"""
Waiter = asyncio.Future[dict[str, Any]]


class ReportWatcher:
    """Resolves waiters when their report revision appears in the projection (one query per tick).

    `reader` opens an atomic-statement unit of work: the watcher's one connection polls outside any
    transaction, so it holds back nothing while reports are awaited."""

    def __init__(self, reader: Callable[[], ScoringUnitOfWork]) -> None:
        self.reader = reader
        self.waiting: dict[str, list[tuple[int, Waiter]]] = {}
        self.since: dict[Waiter, float] = {}
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def head(self, report_id: str) -> dict[str, Any] | None:
        """The report's newest applied revision now (the connection is back in the pool before any wait)."""
        async with self.reader() as uow:
            row = await (await uow.driver()).fetchrow(HEADS, [report_id])
        return dict(row) if row else None

    def watch(self, report_id: str, revision: int) -> Waiter:
        loop = asyncio.get_running_loop()
        fut: Waiter = loop.create_future()
        self.waiting.setdefault(report_id, []).append((revision, fut))
        self.since[fut] = loop.time()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name="scoring-inputs-watcher")
        self.wake.set()
        return fut

    def forget(self, report_id: str, fut: Waiter) -> None:
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
                async with self.reader() as uow:
                    raw = await uow.driver()
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


def _out(head: dict[str, Any]) -> ReportInputOut:
    occurred: datetime = head["occurred_at"]
    received: datetime = head["received_at"]
    return ReportInputOut(
        report_id=head["report_id"],
        revision=head["revision"],
        occurred_at=occurred,
        received_at=received,
        lag_ms=round((received - occurred).total_seconds() * 1000, 3),
    )


async def _wait_for(
    watcher: ReportWatcher, report_id: str, revision: int, wait_ms: int
) -> dict[str, Any] | None:
    fut = watcher.watch(report_id, revision)
    done, _pending = await asyncio.wait({fut}, timeout=wait_ms / 1000)
    watcher.forget(report_id, fut)
    head = fut.result() if done else None
    fut.cancel()
    return head


async def report_input(
    watcher: ReportWatcher, *, report_id: str, revision: int, wait_ms: int
) -> ReportInputOut:
    """The newest revision of a report that scoring has applied, with the report event's time and
    the time scoring applied its first revision; 404 if the wanted revision is not there (yet)."""
    head = await watcher.head(report_id)
    if (head is None or head["revision"] < revision) and wait_ms:
        head = await _wait_for(watcher, report_id, revision, wait_ms)
    if head is None or head["revision"] < revision:
        raise Problem(
            404,
            "Not found",
            f"revision {revision} of report {report_id} has not reached scoring's projection"
            + (f" within {wait_ms} ms" if wait_ms else ""),
            type_="/problems/not-found",
        )
    return _out(head)


async def input_counts(conn: AsyncConnection, *, unit_prefix: str | None) -> InputCountsOut:
    """How many report revisions, distinct reports, unit returns and problems the projections hold."""
    like = f"{unit_prefix}%" if unit_prefix else "%"
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
    probs = (await conn.execute(select(func.count()).where(problems.c.owner_unit.like(like)))).scalar_one()
    return InputCountsOut(report_revisions=rep[0], reports=rep[1], unit_returns=returns, problems=probs)
