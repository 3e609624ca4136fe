"""Scheduled work: the assessment day (R9), the quarter-end milestones (R10), the default policy.

Jobs read `app.state.clock` (movable in tests) and run under the scheduler's advisory lock; what
they emit is recorded under unique keys — one ranking per (month, policy version), one milestone
check per (unit or region, quarter, metric) — so two replicas never publish twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import select

from diaodu_platform.logging import get_logger
from scoring.adapters.tables import rankings
from scoring.domain.periods import month_str, previous_quarter
from scoring.service_layer import assessment, milestones, policies
from scoring.service_layer import metrics as campaign_metrics

log = get_logger(__name__)
SCHEDULER = "scheduler"


async def run_assessment_day(app: Any, now: datetime) -> None:
    """On the policy's assessment day (25th by default) or after it, rank the month once."""
    month = month_str(now.year, now.month)
    async with app.state.engine.begin() as conn:
        policy = await policies.current_policy(conn, app.state.outbox, month=month, now=now)
        if now.day < policy.assessment_day:
            return
        if (await conn.execute(select(rankings.c.id).where(rankings.c.month == month).limit(1))).first():
            return
        try:
            ranking, created = await assessment.publish_month(
                conn, app.state.outbox, policy=policy, month=month, trigger="scheduled", by=SCHEDULER, now=now
            )
        except assessment.NothingToAssess as exc:
            log.warning("assessment day: nothing to assess", month=month, reason=str(exc))
            return
    if created:
        log.info("ranking published", month=month, policy_version=policy.version, ranking_id=ranking.id)
        await campaign_metrics.refresh_after_publish(app)


class _NothingToCheck(Exception):
    pass


async def run_milestones(app: Any, now: datetime) -> None:
    """After a quarter ends, check it once (R10); a quarter with no annual targets is not claimed."""
    year, quarter = previous_quarter(now.date())
    period = f"{year}Q{quarter}"
    try:
        async with app.state.engine.begin() as conn:
            policy = await policies.current_policy(conn, app.state.outbox, month=None, now=now)
            if not await milestones.claim_quarter(conn, period=period, now=now):
                return
            results = await milestones.check_quarter(
                conn, app.state.outbox, policy=policy, year=year, quarter=quarter, now=now
            )
            if not results:
                raise _NothingToCheck  # roll back the claim: check again when targets arrive
    except _NothingToCheck:
        return
    log.info(
        "milestones checked", period=period, checks=len(results), missed=sum(r["missed"] for r in results)
    )


async def seed_default_policy(app: Any) -> None:
    """Store the R9 default policy as version 1 at startup (idempotent across replicas)."""
    delay = 0.5
    while True:
        try:
            async with app.state.engine.begin() as conn:
                await policies.ensure_default(conn, app.state.outbox, now=app.state.clock.now())
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # database not reachable yet
            log.warning("default policy not seeded yet; retrying", error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
