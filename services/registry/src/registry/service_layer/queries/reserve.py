"""The reserve-health report (储备, R11)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col, select

from diaodu_platform.db import session_on
from registry.adapters.tables import Project, Target
from registry.domain.model import Metric
from registry.domain.reserve import RESERVE_STAGES, ReserveProject, reserve_health
from registry.service_layer.read_models import BandOut, ReserveHealthOut

_BANDS = (
    ("band_10_50yi", Metric.LARGE_PROJECT_COUNT_10_50YI),
    ("band_5_10yi", Metric.LARGE_PROJECT_COUNT_5_10YI),
)


async def _reserve(session: AsyncSession, unit_code: str | None) -> list[ReserveProject]:
    stmt = select(col(Project.total_investment), col(Project.stage)).where(
        col(col(Project.stage)).in_([str(x) for x in RESERVE_STAGES])
    )
    if unit_code:
        stmt = stmt.where(Project.unit_code == unit_code)
    return [ReserveProject(total_investment=r[0], stage=r[1]) for r in (await session.execute(stmt)).all()]


async def _targets(session: AsyncSession, year: int, unit_code: str | None) -> dict[str, Decimal]:
    scope_filter = (Target.unit_code == unit_code) if unit_code else (Target.scope == "region")
    rows = (await session.execute(select(Target).where(Target.period == str(year), scope_filter))).scalars()
    return {t.metric: t.value for t in rows}


async def _planned(
    session: AsyncSession, year: int, unit_code: str | None, targets: dict[str, Decimal]
) -> tuple[Decimal, str]:
    """The year's planned investment: its target if set, else the sum of the projects' annual plans."""
    if Metric.FIXED_ASSET_INVESTMENT in targets:
        return targets[Metric.FIXED_ASSET_INVESTMENT], f"target fixed_asset_investment {year}"
    plan_stmt = select(func.coalesce(func.sum(col(Project.annual_plan_investment)), 0)).where(
        col(col(Project.plan_year)) == year, col(col(Project.stage)) != "cancelled"
    )
    if unit_code:
        plan_stmt = plan_stmt.where(Project.unit_code == unit_code)
    return Decimal((await session.execute(plan_stmt)).scalar_one()), "sum of project annual plans"


async def reserve_health_report(
    *, conn: AsyncConnection, year: int, unit_code: str | None, required_multiple: Decimal
) -> ReserveHealthOut:
    """R11: reserve total investment against twice the year's planned investment, and size bands."""
    async with session_on(conn) as session:
        reserve = await _reserve(session, unit_code)
        targets = await _targets(session, year, unit_code)
        planned, source = await _planned(session, year, unit_code, targets)
    bands = {band: int(targets[metric]) for band, metric in _BANDS if metric in targets}
    health = reserve_health(
        reserve,
        planned_investment_this_year=planned,
        required_multiple=required_multiple,
        band_targets=bands or None,
    )
    return ReserveHealthOut(
        year=year,
        unit_code=unit_code,
        reserve_total=health.reserve_total,
        planned_investment=planned,
        planned_investment_source=source,
        multiple=health.multiple,
        required_multiple=health.required_multiple,
        healthy=health.healthy,
        project_count=health.project_count,
        bands=[BandOut(band=b.band, count=b.count, target=b.target, met=b.met) for b in health.bands],
    )
