"""Reading targets (目标任务) and their decomposition (R1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from diaodu_platform.db import session_on
from diaodu_platform.paging import Page, fetch_page
from registry.adapters.tables import Target
from registry.domain.targets import TargetLine, coverage_report
from registry.service_layer.read_models import CoverageOut, TargetOut, target_out


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
    conn: AsyncConnection,
    metric: str | None,
    period: str | None,
    scope: str | None,
    unit_code: str | None,
    campaign_id: str | None,
    page: int,
    page_size: int,
) -> Page[TargetOut]:
    """Targets by metric, period, scope and unit, filtered by each of them and the campaign."""
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
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
    return Page(items=[target_out(t) for t in rows], total=total, page=page, page_size=page_size)


async def target_coverage(
    *, conn: AsyncConnection, metric: str | None, period: str | None, campaign_id: str | None
) -> list[CoverageOut]:
    """R1: per metric and period, the sum of unit targets against the regional target."""
    stmt = _target_filter(select(Target), metric=metric, period=period, campaign_id=campaign_id)
    async with session_on(conn) as session:
        rows = (await session.execute(stmt)).scalars().all()
    lines = [
        TargetLine(metric=t.metric, period=t.period, scope=t.scope, unit_code=t.unit_code, value=t.value)
        for t in rows
    ]
    return [
        CoverageOut(
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
