"""Periodic jobs (deadlines, SLA timers, assessment day) that are safe with several replicas.

Each run of a job holds a PostgreSQL advisory lock, so replicas never run the same job at once;
jobs must still record what they did under unique keys (e.g. one overdue fact per project and
month), so that a run repeated after a crash or on another replica emits nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from diaodu_platform.clock import Clock, system_now
from diaodu_platform.logging import get_logger
from diaodu_platform.metrics import Metrics

log = get_logger(__name__)


@dataclass(frozen=True)
class Job:
    """`run(app, now)` is called every `interval_s` seconds on the replica that holds the job's lock."""

    name: str
    interval_s: float
    run: Callable[[Any, datetime], Awaitable[None]]


class Scheduler:
    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        clock: Clock,
        jobs: list[Job],
        app: Any,
        metrics: Metrics | None = None,
    ) -> None:
        self.service = service
        self.metrics = metrics
        if metrics is not None:
            for job in jobs:
                # Every job's series exists from start-up (at 0), so a job that never succeeds shows.
                metrics.scheduler_last_success.labels(scheduled_job=job.name)
                metrics.scheduler_failures.labels(scheduled_job=job.name)
        self.engine = engine
        self.clock = clock
        self.jobs = {j.name: j for j in jobs}
        self.app = app
        self.runs: dict[str, int] = {j.name: 0 for j in jobs}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.jobs:
            self._task = asyncio.create_task(self._loop(), name=f"scheduler-{self.service}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def wake(self) -> None:
        """Run every job now (after the clock was moved)."""
        self._wake.set()

    async def run_now(self, name: str) -> bool:
        """Run one job at once under its lock; False if another replica holds it."""
        return await self._run(self.jobs[name])

    async def _loop(self) -> None:
        last: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        tick = min(j.interval_s for j in self.jobs.values())
        while True:
            forced = self._wake.is_set()
            self._wake.clear()
            for job in self.jobs.values():
                if forced or loop.time() - last.get(job.name, 0.0) >= job.interval_s:
                    last[job.name] = loop.time()
                    try:
                        await self._run(job)
                    except Exception:
                        log.exception("scheduled job failed", job=job.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), tick)

    async def _run(self, job: Job) -> bool:
        lock_id = zlib.crc32(f"diaodu-job:{self.service}:{job.name}".encode())
        async with self.engine.connect() as conn:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id})).scalar()
            if not got:
                return False
            try:
                await job.run(self.app, self.clock.now())
                self.runs[job.name] += 1
                if self.metrics:
                    # Wall-clock time: ops measure staleness in real time, not the movable clock.
                    self.metrics.scheduler_last_success.labels(scheduled_job=job.name).set(
                        system_now().timestamp()
                    )
            except Exception:
                if self.metrics:
                    self.metrics.scheduler_failures.labels(scheduled_job=job.name).inc()
                raise
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                await conn.commit()
        return True


def gauge_refresher(
    refresh: Callable[[Any], Awaitable[None]], *, name: str = "metrics", interval_s: float = 60.0
) -> tuple[Job, Callable[[Any], Coroutine[Any, Any, None]]]:
    """Gauges of stored state, recomputed from the database on every replica.

    Returns the periodic `Job` and a start-up task that refreshes as soon as the database answers
    (retrying with backoff), so a new replica shows real values before the first job run.
    """

    async def run(app: Any, now: datetime) -> None:
        await refresh(app)

    async def at_startup(app: Any) -> None:
        delay = 0.5
        while True:
            try:
                await refresh(app)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database not reachable yet
                log.warning("gauges not refreshed yet; retrying", job=name, error=str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    return Job(name, interval_s, run), at_startup
