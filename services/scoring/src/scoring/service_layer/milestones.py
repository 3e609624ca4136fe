"""Quarter-end milestones (R10) and the target attainment board (every target: actual, share, light)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.outbox import Outbox
from scoring.adapters import facts
from scoring.adapters.tables import milestone_checks, milestone_runs, target_facts
from scoring.domain.indicators import EnterpriseFact
from scoring.domain.milestones import attainment_light, check_milestone, expected_share, metric_actual
from scoring.domain.periods import Window, months_between, parse_month, period_months, quarter_end_month
from scoring.domain.policy import Policy
from scoring.events import MilestoneMissed

_SHARE = Decimal("0.0001")


async def claim_quarter(conn: AsyncConnection, *, period: str, now: datetime) -> bool:
    """True the first time a quarter's scheduled check is claimed (any replica)."""
    return (
        await conn.execute(
            insert(milestone_runs)
            .values(period=period, ran_at=now)
            .on_conflict_do_nothing()
            .returning(milestone_runs.c.period)
        )
    ).first() is not None


async def check_quarter(
    conn: AsyncConnection, outbox: Outbox, *, policy: Policy, year: int, quarter: int, now: datetime
) -> list[dict[str, Any]]:
    """Check the region and every unit against its milestone share of each annual target; a miss is
    published once per (unit or region, quarter, metric)."""
    month = quarter_end_month(year, quarter)
    period = f"{year}Q{quarter}"
    window = Window(period=str(year), first=f"{year:04d}-01", last=month)
    share = policy.milestone_curve[quarter - 1]
    targets = await facts.load_targets(conn, period=str(year), as_of=None)
    projects = await facts.load_project_facts(conn, window=window, as_of=None)
    enterprises = await facts.load_enterprises(conn, window=window, as_of=None)
    all_enterprises = [e for es in enterprises.values() for e in es]
    results = []
    for (unit_code, metric), target in sorted(targets.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        if metric not in policy.milestone_metrics:
            continue
        scoped = projects if unit_code is None else [p for p in projects if p.unit_code == unit_code]
        ents = all_enterprises if unit_code is None else enterprises.get(unit_code, [])
        actual = metric_actual(metric, scoped, ents)
        if actual is None:
            continue
        res = check_milestone(target.value, actual, share)
        scope_key = unit_code or "region"
        fresh = (
            await conn.execute(
                insert(milestone_checks)
                .values(
                    scope_key=scope_key,
                    period=period,
                    metric=metric,
                    missed=res.missed,
                    annual_target=target.value,
                    expected_share=share,
                    actual=actual,
                    policy_version=policy.version,
                    checked_at=now,
                )
                .on_conflict_do_nothing()
                .returning(milestone_checks.c.scope_key)
            )
        ).first() is not None
        if fresh and res.missed:
            await outbox.add(
                conn,
                MilestoneMissed(
                    scope="region" if unit_code is None else "unit",
                    unit_code=unit_code,
                    year=year,
                    quarter=quarter,
                    period=period,
                    metric=metric,
                    annual_target=target.value,
                    expected_share=share,
                    expected_value=res.expected_value,
                    actual=actual,
                    actual_share=res.actual_share,
                    shortfall=res.shortfall,
                    target_event_id=target.source_event_id,
                    policy_version=policy.version,
                ),
            )
        results.append(
            {
                "scope": "region" if unit_code is None else "unit",
                "unit_code": unit_code,
                "period": period,
                "metric": metric,
                "annual_target": target.value,
                "expected_share": share,
                "expected_value": res.expected_value,
                "actual": actual,
                "actual_share": res.actual_share,
                "shortfall": res.shortfall,
                "missed": res.missed,
                "newly_recorded": fresh,
                "target_event_id": target.source_event_id,
            }
        )
    return results


async def list_checks(
    conn: AsyncConnection, *, year: int | None, unit_code: str | None, missed: bool | None
) -> list[dict[str, Any]]:
    t = milestone_checks
    stmt = select(t).order_by(t.c.period, t.c.scope_key, t.c.metric)
    if year:
        stmt = stmt.where(t.c.period.like(f"{year:04d}Q%"))
    if unit_code:
        stmt = stmt.where(t.c.scope_key == unit_code)
    if missed is not None:
        stmt = stmt.where(t.c.missed == missed)
    return [dict(r._mapping) for r in await conn.execute(stmt)]


async def board(
    conn: AsyncConnection,
    *,
    policy: Policy,
    year: int,
    month: str,
    unit_code: str | None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """The target attainment board: every target of the year (R1) with actual, share and light,
    measured to `month` (annual targets against the milestone curve, shorter periods pro rata)."""
    rows: list[dict[str, Any]] = []
    by_period: dict[str, list[Any]] = defaultdict(list)
    for period in await _periods_of_year(conn, year, as_of):
        for t in await facts.list_targets(conn, period=period, as_of=as_of):
            if unit_code is None or t.unit_code == unit_code:
                by_period[period].append(t)
    for period, targets in sorted(by_period.items()):
        span = period_months(period)
        if span is None:
            continue
        first, last = span
        upto = min(last, month)
        if upto < first:
            expected, measured = Decimal(0), None
        else:
            if period == str(year):
                expected = expected_share(policy.milestone_curve, parse_month(upto)[1])
            else:
                elapsed, total = months_between(first, upto), months_between(first, last)
                expected = (Decimal(elapsed) / Decimal(total)).quantize(_SHARE)
            window = Window(period=period, first=first, last=upto)
            projects = await facts.load_project_facts(conn, window=window, as_of=as_of)
            enterprises = await facts.load_enterprises(conn, window=window, as_of=as_of)
            measured = (projects, enterprises)
        for t in targets:
            actual = None
            if measured is not None:
                projects, enterprises = measured
                scoped = (
                    projects if t.unit_code is None else [p for p in projects if p.unit_code == t.unit_code]
                )
                ents: list[EnterpriseFact] = (
                    [e for es in enterprises.values() for e in es]
                    if t.unit_code is None
                    else enterprises.get(t.unit_code, [])
                )
                actual = metric_actual(t.metric, scoped, ents)
            share = (actual / t.value).quantize(_SHARE) if actual is not None and t.value > 0 else None
            rows.append(
                {
                    "target_id": t.target_id,
                    "metric": t.metric,
                    "period": t.period,
                    "scope": t.scope,
                    "unit_code": t.unit_code,
                    "campaign_id": t.campaign_id,
                    "target": t.value,
                    "actual": actual,
                    "share": share,
                    "expected_share": expected,
                    "light": attainment_light(expected, share, policy.light_thresholds),
                    "target_event_id": t.ce_id,
                    "note": None
                    if actual is not None or measured is None
                    else "not derivable from the events scoring receives (R6 rates are measured by progress)",
                }
            )
    return {"year": year, "month": month, "policy_version": policy.version, "targets": rows}


async def _periods_of_year(conn: AsyncConnection, year: int, as_of: datetime | None) -> list[str]:
    stmt = select(target_facts.c.period).distinct().where(target_facts.c.period.like(f"{year:04d}%"))
    if as_of is not None:
        stmt = stmt.where(target_facts.c.occurred_at <= as_of)
    return sorted(r[0] for r in await conn.execute(stmt))
