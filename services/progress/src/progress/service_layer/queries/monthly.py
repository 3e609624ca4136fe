"""A month as the campaign office sees it: per project its report, ytd and lights; per unit its
reports in and missing, totals against plan or target, and its light (R2, R3, R5).

Read by the unit/region month APIs and by the lights job, so both judge alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from progress.adapters.repositories import REQUIRED_SQL
from progress.adapters.tables import projects, reports, targets, units
from progress.domain.deadlines import deadline, is_required
from progress.domain.lights import (
    Verdict,
    investment_light,
    missing_light,
    start_light,
    stats_light,
    unit_light,
)
from progress.domain.model import LightKind, Month
from progress.domain.policy import Policy
from progress.domain.schedule import actual_share, expected_share, gap_points

INVESTMENT_METRIC = "fixed_asset_investment"
_ZERO = Decimal(0)


@dataclass
class ProjectMonth:
    project: Any  # projects row
    required: bool
    report: Any | None  # current revision of this month's report
    latest: Any | None  # the latest report up to this month (any year)
    ytd: Decimal
    lights: dict[LightKind, Verdict] = field(default_factory=dict)


@dataclass
class Totals:
    investment_month: Decimal
    investment_ytd: Decimal
    annual_plan: Decimal
    target: Decimal | None
    target_source: str
    expected: Decimal
    share: Decimal | None
    gap: Decimal | None


@dataclass
class UnitMonth:
    unit_code: str
    unit_name: str | None
    projects: list[ProjectMonth]
    missing_ids: list[str]
    consecutive_missing: int
    totals: Totals
    light: Verdict

    @property
    def required(self) -> int:
        return sum(p.required for p in self.projects)

    @property
    def reports_in(self) -> int:
        return sum(p.required and p.report is not None for p in self.projects)


def latest_reports(month: Month, project_ids: Any = None) -> Any:
    """The current revision of each project's latest report up to `month`."""
    stmt = (
        select(reports)
        .where(reports.c.month <= str(month))
        .distinct(reports.c.project_id)
        .order_by(reports.c.project_id, reports.c.month.desc(), reports.c.revision.desc())
    )
    if project_ids is not None:
        stmt = stmt.where(reports.c.project_id.in_(project_ids))
    return stmt


_MISSING = text(f"""
SELECT p.unit_code, count(*) AS n FROM projects p
WHERE {REQUIRED_SQL}
  AND (CAST(:unit_code AS varchar) IS NULL OR p.unit_code = :unit_code)
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.project_id = p.id AND r.month = :month)
GROUP BY p.unit_code
""")


async def _missing_units(
    conn: AsyncConnection, month: Month, policy: Policy, unit_code: str | None
) -> set[str]:
    rows = await conn.execute(
        _MISSING, {"deadline": deadline(month, policy), "month": str(month), "unit_code": unit_code}
    )
    return {r.unit_code for r in rows}


def project_month(p: Any, latest: Any | None, month: Month, policy: Policy) -> ProjectMonth:
    """One project's month: required or not, its report, ytd, and its three lights (R3)."""
    report = latest if latest is not None and latest.month == str(month) else None
    ytd = latest.investment_ytd if latest is not None and latest.month.startswith(f"{month.year}-") else _ZERO
    pm = ProjectMonth(
        project=p,
        required=is_required(stage=p.stage, registered_at=p.registered_at, month=month, policy=policy),
        report=report,
        latest=latest,
        ytd=ytd,
    )
    status = latest.construction_status if latest is not None else None
    registered = latest.stats_registered if latest is not None else p.stats_registered
    verdicts = {
        LightKind.INVESTMENT: investment_light(
            expected=expected_share(month, policy), done=ytd, plan=p.annual_plan_investment, policy=policy
        )
        if p.plan_year == month.year
        else None,
        LightKind.START: start_light(
            build_type=p.build_type, planned_start=p.planned_start, status=status, month=month, policy=policy
        ),
        LightKind.STATS: stats_light(
            status=status,
            actual_start_date=latest.actual_start_date if latest else None,
            stats_registered=registered,
            month=month,
            policy=policy,
        ),
    }
    pm.lights = {k: v for k, v in verdicts.items() if v is not None}
    return pm


def totals(
    pms: list[ProjectMonth], *, month: Month, policy: Policy, target: Decimal | None
) -> tuple[Totals, Verdict | None]:
    """Investment done against the target (or, without one, the sum of annual plans) and its light."""
    plan = sum(
        (
            pm.project.annual_plan_investment
            for pm in pms
            if pm.project.plan_year == month.year and pm.project.stage != "cancelled"
        ),
        _ZERO,
    )
    ytd = sum((pm.ytd for pm in pms), _ZERO)
    in_month = sum((pm.report.investment_month for pm in pms if pm.report is not None), _ZERO)
    base, source = (
        (target, f"target {INVESTMENT_METRIC} {month.year}")
        if target is not None
        else (plan, "sum of project annual plans")
    )
    expected = expected_share(month, policy)
    share = actual_share(ytd, base)
    verdict = investment_light(
        expected=expected,
        done=ytd,
        plan=base,
        policy=policy,
        what="目标任务" if target is not None else "年度计划",
    )
    return Totals(
        investment_month=in_month,
        investment_ytd=ytd,
        annual_plan=plan,
        target=target,
        target_source=source,
        expected=expected,
        share=share,
        gap=gap_points(expected, share) if share is not None else None,
    ), verdict


async def month_view(
    conn: AsyncConnection, *, month: Month, policy: Policy, unit_code: str | None = None
) -> list[UnitMonth]:
    """Every unit's month (or one unit's), with each of its projects."""
    pstmt = select(projects).order_by(projects.c.unit_code, projects.c.id)
    ustmt = select(units.c.code, units.c.name)
    tstmt = select(targets.c.unit_code, targets.c.scope, targets.c.value).where(
        targets.c.metric == INVESTMENT_METRIC,
        targets.c.period == str(month.year),
        targets.c.campaign_id.is_(None),
    )
    lstmt = latest_reports(month)
    if unit_code is not None:
        pstmt = pstmt.where(projects.c.unit_code == unit_code)
        ustmt = ustmt.where(units.c.code == unit_code)
        tstmt = tstmt.where(targets.c.unit_code == unit_code)
        lstmt = lstmt.where(reports.c.unit_code == unit_code)
    plist = (await conn.execute(pstmt)).all()
    latest = {r.project_id: r for r in await conn.execute(lstmt)}
    names = {r.code: r.name for r in await conn.execute(ustmt)}
    unit_targets = {r.unit_code: r.value for r in await conn.execute(tstmt) if r.scope == "unit"}
    earlier_missing: list[set[str]] = []
    for k in range(1, max(policy.missing_red_months, 1)):
        earlier_missing.append(await _missing_units(conn, month.plus(-k), policy, unit_code))

    by_unit: dict[str, list[ProjectMonth]] = {code: [] for code in names}
    for p in plist:
        by_unit.setdefault(p.unit_code, []).append(project_month(p, latest.get(p.id), month, policy))
    out = []
    for code in sorted(by_unit):
        pms = by_unit[code]
        missing = [pm.project.id for pm in pms if pm.required and pm.report is None]
        streak = 0
        if missing:
            streak = 1
            for earlier in earlier_missing:
                if code not in earlier:
                    break
                streak += 1
        tot, inv = totals(pms, month=month, policy=policy, target=unit_targets.get(code))
        light = unit_light(investment=inv, missing=missing_light(streak, policy))
        out.append(
            UnitMonth(
                unit_code=code,
                unit_name=names.get(code),
                projects=pms,
                missing_ids=missing,
                consecutive_missing=streak,
                totals=tot,
                light=light,
            )
        )
    return out


async def region_target(conn: AsyncConnection, month: Month) -> Decimal | None:
    row = (
        await conn.execute(
            select(func.max(targets.c.value)).where(
                and_(
                    targets.c.metric == INVESTMENT_METRIC,
                    targets.c.period == str(month.year),
                    targets.c.scope == "region",
                    targets.c.campaign_id.is_(None),
                )
            )
        )
    ).scalar()
    return Decimal(row) if row is not None else None
