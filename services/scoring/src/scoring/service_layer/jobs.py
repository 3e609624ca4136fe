"""Scheduled work: the assessment day (R9), the quarter-end milestones (R10), the default policy.

Jobs get `now` from the scheduler (the app's movable clock) and run under the scheduler's advisory
lock; what they emit is recorded under unique keys — one ranking per (month, policy version), one
milestone check per (unit or region, quarter, metric) — so two replicas never publish twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from diaodu_platform.logging import get_logger
from scoring.domain.periods import month_str, previous_quarter
from scoring.service_layer import metrics as campaign_metrics
from scoring.service_layer.assessment import NothingToAssess, publish_month
from scoring.service_layer.milestones import check_quarter
from scoring.service_layer.policies import current_policy, ensure_default
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

log = get_logger(__name__)
SCHEDULER = "scheduler"


async def run_assessment_day(app: Any, now: datetime) -> None:
    """On the policy's assessment day (25th by default) or after it, rank the month once (R9)."""
    month = month_str(now.year, now.month)
    uow: ScoringUnitOfWork
    async with app.state.new_uow() as uow:
        policy = await current_policy(uow=uow, month=month, now=now)
        if now.day < policy.assessment_day:
            return
        if await uow.rankings.any_for_month(month):
            return
        try:
            ranking, created = await publish_month(
                uow=uow, policy=policy, month=month, trigger="scheduled", by=SCHEDULER, now=now
            )
        except NothingToAssess as exc:
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
    uow: ScoringUnitOfWork
    try:
        async with app.state.new_uow() as uow:
            policy = await current_policy(uow=uow, month=None, now=now)
            if not await uow.milestones.claim(period=period, now=now):
                return
            results = await check_quarter(uow=uow, policy=policy, year=year, quarter=quarter, now=now)
            if not results:
                raise _NothingToCheck  # roll back the claim: check again when targets arrive
    except _NothingToCheck:
        return
    log.info("milestones checked", period=period, checks=len(results), missed=sum(r.missed for r in results))


async def seed_default_policy(app: Any) -> None:
    """Store the R9 default policy as version 1 at startup (idempotent across replicas)."""
    delay = 0.5
    uow: ScoringUnitOfWork
    while True:
        try:
            async with app.state.new_uow() as uow:
                await ensure_default(uow=uow, now=app.state.clock.now())
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # database not reachable yet
            log.warning("default policy not seeded yet; retrying", error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
