"""Read side of the registry: filtered pages and the R1 / R11 reports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from diaodu_platform.errors import not_found
from registry.adapters.tables import Campaign, Leader, LeaderAssignment, Project, StageChange, Target, Unit
from registry.domain.model import Metric
from registry.domain.reserve import RESERVE_STAGES, ReserveProject, reserve_health
from registry.domain.targets import TargetLine, coverage_report
from registry.entrypoints import schemas as s
from registry.service_layer.handlers import snapshot, target_out, unit_out


async def _page(session: AsyncSession, stmt: Any, *, page: int, page_size: int) -> tuple[list[Any], int]:
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.execute(stmt.offset((page - 1) * page_size).limit(page_size))).scalars().all()
    return list(rows), int(total)


async def list_units(
    *,
    session: AsyncSession,
    kind: str | None,
    parent_code: str | None,
    q: str | None,
    page: int,
    page_size: int,
) -> s.Page[s.UnitOut]:
    stmt = select(Unit).order_by(col(Unit.code))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if parent_code:
        stmt = stmt.where(Unit.parent_code == parent_code)
    if q:
        stmt = stmt.where(col(Unit.name).contains(q))
    rows, total = await _page(session, stmt, page=page, page_size=page_size)
    return s.Page(items=[unit_out(u) for u in rows], total=total, page=page, page_size=page_size)


async def get_unit(*, session: AsyncSession, code: str) -> s.UnitOut:
    unit = await session.get(Unit, code)
    if unit is None:
        raise not_found("unit", code)
    return unit_out(unit)


async def list_leaders(
    *, session: AsyncSession, unit_code: str | None, page: int, page_size: int
) -> s.Page[s.LeaderOut]:
    stmt = select(Leader).order_by(col(Leader.id))
    if unit_code:
        stmt = stmt.where(
            col(col(Leader.id)).in_(
                select(col(LeaderAssignment.leader_id)).where(LeaderAssignment.unit_code == unit_code)
            )
        )
    rows, total = await _page(session, stmt, page=page, page_size=page_size)
    assignments = (
        (
            await session.execute(
                select(LeaderAssignment).where(col(LeaderAssignment.leader_id).in_([r.id for r in rows]))
            )
        )
        .scalars()
        .all()
    )
    by_leader: dict[str, list[s.AssignmentOut]] = {}
    for a in assignments:
        by_leader.setdefault(a.leader_id, []).append(
            s.AssignmentOut(
                id=a.id or 0,
                leader_id=a.leader_id,
                unit_code=a.unit_code,
                project_id=a.project_id,
                role=a.role,
            )
        )
    items = [
        s.LeaderOut(id=r.id, name=r.name, title=r.title, assignments=by_leader.get(r.id, [])) for r in rows
    ]
    return s.Page(items=items, total=total, page=page, page_size=page_size)


async def list_projects(
    *, session: AsyncSession, filters: dict[str, Any], q: str | None, page: int, page_size: int
) -> s.Page[s.ProjectOut]:
    stmt = select(Project).order_by(col(Project.created_at), col(Project.id))
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Project, column) == value)
    if q:
        stmt = stmt.where(col(Project.name).contains(q))
    rows, total = await _page(session, stmt, page=page, page_size=page_size)
    items = [s.ProjectOut(**snapshot(p).model_dump()) for p in rows]
    return s.Page(items=items, total=total, page=page, page_size=page_size)


async def get_project(*, session: AsyncSession, project_id: str) -> s.ProjectOut:
    project = await session.get(Project, project_id)
    if project is None:
        raise not_found("project", project_id)
    history = (
        (
            await session.execute(
                select(StageChange)
                .where(StageChange.project_id == project_id)
                .order_by(col(StageChange.changed_at))
            )
        )
        .scalars()
        .all()
    )
    return s.ProjectOut(
        **snapshot(project).model_dump(),
        history=[
            s.StageChangeOut(
                from_stage=h.from_stage,
                to_stage=h.to_stage,
                reason=h.reason,
                changed_by=h.changed_by,
                changed_at=h.changed_at.isoformat(),
            )
            for h in history
        ],
    )


async def list_campaigns(*, session: AsyncSession) -> list[s.CampaignOut]:
    rows = (await session.execute(select(Campaign).order_by(col(Campaign.start_date)))).scalars().all()
    return [
        s.CampaignOut(
            id=c.id, name=c.name, start_date=c.start_date, end_date=c.end_date, description=c.description
        )
        for c in rows
    ]


async def get_campaign(*, session: AsyncSession, campaign_id: str) -> s.CampaignOut:
    c = await session.get(Campaign, campaign_id)
    if c is None:
        raise not_found("campaign", campaign_id)
    return s.CampaignOut(
        id=c.id, name=c.name, start_date=c.start_date, end_date=c.end_date, description=c.description
    )


def _target_filter(stmt: Any, *, metric: str | None, period: str | None, campaign_id: str | None) -> Any:
    if metric:
        stmt = stmt.where(Target.metric == metric)
    if period:
        stmt = stmt.where(Target.period == period)
    if campaign_id:
        stmt = stmt.where(Target.campaign_id == campaign_id)
    return stmt


async def list_targets(
    *,
    session: AsyncSession,
    metric: str | None,
    period: str | None,
    scope: str | None,
    unit_code: str | None,
    campaign_id: str | None,
    page: int,
    page_size: int,
) -> s.Page[s.TargetOut]:
    stmt = _target_filter(
        select(Target).order_by(
            col(Target.metric), col(Target.period), col(Target.scope), col(Target.unit_code)
        ),
        metric=metric,
        period=period,
        campaign_id=campaign_id,
    )
    if scope:
        stmt = stmt.where(Target.scope == scope)
    if unit_code:
        stmt = stmt.where(Target.unit_code == unit_code)
    rows, total = await _page(session, stmt, page=page, page_size=page_size)
    return s.Page(items=[target_out(t) for t in rows], total=total, page=page, page_size=page_size)


async def target_coverage(
    *, session: AsyncSession, metric: str | None, period: str | None, campaign_id: str | None
) -> list[s.CoverageOut]:
    """R1: per metric and period, the sum of unit targets against the regional target."""
    rows = (
        (
            await session.execute(
                _target_filter(select(Target), metric=metric, period=period, campaign_id=campaign_id)
            )
        )
        .scalars()
        .all()
    )
    lines = [
        TargetLine(metric=t.metric, period=t.period, scope=t.scope, unit_code=t.unit_code, value=t.value)
        for t in rows
    ]
    return [
        s.CoverageOut(
            metric=c.metric,
            period=c.period,
            regional_target=c.regional_target,
            unit_sum=c.unit_sum,
            unit_count=c.unit_count,
            coverage=c.coverage,
            gap=c.gap,
            flag=c.flag,
            severity=c.severity,
        )
        for c in coverage_report(lines)
    ]


async def reserve_health_report(
    *, session: AsyncSession, year: int, unit_code: str | None, required_multiple: Decimal
) -> s.ReserveHealthOut:
    """R11: reserve total investment against twice the year's planned investment, and size bands."""
    stmt = select(col(Project.total_investment), col(Project.stage)).where(
        col(col(Project.stage)).in_([str(x) for x in RESERVE_STAGES])
    )
    if unit_code:
        stmt = stmt.where(Project.unit_code == unit_code)
    reserve = [ReserveProject(total_investment=r[0], stage=r[1]) for r in (await session.execute(stmt)).all()]
    scope_filter = (Target.unit_code == unit_code) if unit_code else (Target.scope == "region")
    target_rows = (
        await session.execute(select(Target).where(Target.period == str(year), scope_filter))
    ).scalars()
    targets = {t.metric: t.value for t in target_rows}
    if Metric.FIXED_ASSET_INVESTMENT in targets:
        planned, source = targets[Metric.FIXED_ASSET_INVESTMENT], f"target fixed_asset_investment {year}"
    else:
        plan_stmt = select(func.coalesce(func.sum(col(Project.annual_plan_investment)), 0)).where(
            col(col(Project.plan_year)) == year, col(col(Project.stage)) != "cancelled"
        )
        if unit_code:
            plan_stmt = plan_stmt.where(Project.unit_code == unit_code)
        planned, source = (
            Decimal((await session.execute(plan_stmt)).scalar_one()),
            "sum of project annual plans",
        )
    bands = {
        band: int(targets[metric])
        for band, metric in (
            ("band_10_50yi", Metric.LARGE_PROJECT_COUNT_10_50YI),
            ("band_5_10yi", Metric.LARGE_PROJECT_COUNT_5_10YI),
        )
        if metric in targets
    }
    health = reserve_health(
        reserve,
        planned_investment_this_year=planned,
        required_multiple=required_multiple,
        band_targets=bands or None,
    )
    return s.ReserveHealthOut(
        year=year,
        unit_code=unit_code,
        reserve_total=health.reserve_total,
        planned_investment=planned,
        planned_investment_source=source,
        multiple=health.multiple,
        required_multiple=health.required_multiple,
        healthy=health.healthy,
        project_count=health.project_count,
        bands=[s.BandOut(band=b.band, count=b.count, target=b.target, met=b.met) for b in health.bands],
    )
