"""Quarter-end milestones (R10): the region and every unit against its share of each annual target."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from scoring.domain.indicators import TargetRef
from scoring.domain.milestones import check_milestone, in_scope, metric_actual
from scoring.domain.periods import Window, parse_quarter, quarter_end_month
from scoring.domain.policy import Policy
from scoring.events import MilestoneMissed
from scoring.service_layer.commands import CheckMilestones
from scoring.service_layer.policies import current_policy
from scoring.service_layer.read_models import MilestoneResultOut
from scoring.service_layer.unit_of_work import ScoringUnitOfWork


def _missed(result: MilestoneResultOut, *, year: int, quarter: int, policy_version: int) -> MilestoneMissed:
    return MilestoneMissed(
        scope=result.scope,
        unit_code=result.unit_code,
        year=year,
        quarter=quarter,
        period=result.period,
        metric=result.metric,
        annual_target=result.annual_target,
        expected_share=result.expected_share,
        expected_value=result.expected_value,
        actual=result.actual,
        actual_share=result.actual_share,
        shortfall=result.shortfall,
        target_event_id=result.target_event_id,
        policy_version=policy_version,
    )


async def _check(
    uow: ScoringUnitOfWork,
    *,
    policy: Policy,
    unit_code: str | None,
    target: TargetRef,
    actual: Decimal,
    year: int,
    quarter: int,
    now: datetime,
) -> MilestoneResultOut:
    """Record one check; a miss is published the first time it is recorded."""
    share = policy.milestone_curve[quarter - 1]
    period = f"{year}Q{quarter}"
    res = check_milestone(target.value, actual, share)
    fresh = await uow.milestones.record(
        scope_key=unit_code or "region",
        period=period,
        metric=target.metric,
        missed=res.missed,
        annual_target=target.value,
        expected_share=share,
        actual=actual,
        policy_version=policy.version,
        now=now,
    )
    result = MilestoneResultOut(
        scope="region" if unit_code is None else "unit",
        unit_code=unit_code,
        period=period,
        metric=target.metric,
        annual_target=target.value,
        expected_share=share,
        expected_value=res.expected_value,
        actual=actual,
        actual_share=res.actual_share,
        shortfall=res.shortfall,
        missed=res.missed,
        newly_recorded=fresh,
        target_event_id=target.source_event_id,
    )
    if fresh and res.missed:
        uow.emit(_missed(result, year=year, quarter=quarter, policy_version=policy.version))
    return result


async def check_quarter(
    *, uow: ScoringUnitOfWork, policy: Policy, year: int, quarter: int, now: datetime
) -> list[MilestoneResultOut]:
    """Check the region and every unit against its milestone share of each annual target (R10)."""
    window = Window(period=str(year), first=f"{year:04d}-01", last=quarter_end_month(year, quarter))
    targets = await uow.facts.targets(period=str(year), as_of=None)
    projects = await uow.facts.projects(window=window, as_of=None)
    enterprises = await uow.facts.enterprises(window=window, as_of=None)
    results = []
    for (unit_code, metric), target in sorted(targets.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        if metric not in policy.milestone_metrics:
            continue
        actual = metric_actual(metric, *in_scope(unit_code, projects, enterprises))
        if actual is None:
            continue
        results.append(
            await _check(
                uow,
                policy=policy,
                unit_code=unit_code,
                target=target,
                actual=actual,
                year=year,
                quarter=quarter,
                now=now,
            )
        )
    return results


async def check_milestones(
    *, uow: ScoringUnitOfWork, cmd: CheckMilestones, now: datetime
) -> list[MilestoneResultOut]:
    """Check a quarter now (R10); each miss is published once per (unit or region, quarter, metric)."""
    year, quarter = parse_quarter(cmd.period)
    policy = await current_policy(uow=uow, month=None, now=now)
    await uow.milestones.claim(period=cmd.period, now=now)
    return await check_quarter(uow=uow, policy=policy, year=year, quarter=quarter, now=now)
