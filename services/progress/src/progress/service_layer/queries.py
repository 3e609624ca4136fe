"""Read side: reports with their revisions, anomalies, projects, stored lights and unit returns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from progress.adapters.tables import anomalies, light_states, projects, reports, unit_returns
from progress.domain.model import AnomalyStatus
from progress.entrypoints import schemas as s
from progress.service_layer.anomalies import anomaly_out


async def _page(conn: AsyncConnection, stmt: Any, *, page: int, page_size: int) -> tuple[list[Any], int]:
    total = (await conn.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await conn.execute(stmt.offset((page - 1) * page_size).limit(page_size))).all()
    return list(rows), int(total)


def _current_only(stmt: Any) -> Any:
    """Keep only each report's newest revision."""
    newest = (
        select(reports.c.report_id, func.max(reports.c.revision).label("rev"))
        .group_by(reports.c.report_id)
        .subquery()
    )
    return stmt.join(
        newest, (newest.c.report_id == reports.c.report_id) & (newest.c.rev == reports.c.revision)
    )


async def get_report(*, conn: AsyncConnection, report_id: str) -> s.ReportHistoryOut:
    rows = (
        await conn.execute(
            select(reports).where(reports.c.report_id == report_id).order_by(reports.c.revision.desc())
        )
    ).all()
    if not rows:
        raise not_found("report", report_id)
    flagged = (
        await conn.execute(
            select(anomalies.c.id, anomalies.c.revision, anomalies.c.rule, anomalies.c.detail).where(
                anomalies.c.report_id == report_id
            )
        )
    ).all()
    revisions = [
        report_out(
            r,
            [
                s.AnomalyBrief(anomaly_id=a.id, rule=a.rule, detail=a.detail)
                for a in flagged
                if a.revision == r.revision
            ],
        )
        for r in rows
    ]
    head = rows[0]
    return s.ReportHistoryOut(
        report_id=report_id,
        project_id=head.project_id,
        unit_code=head.unit_code,
        month=head.month,
        current=revisions[0],
        revisions=revisions,
    )


async def list_reports(
    *,
    conn: AsyncConnection,
    unit_code: str | None,
    project_id: str | None,
    month: str | None,
    late: bool | None,
    page: int,
    page_size: int,
) -> s.Page[s.ReportOut]:
    stmt = _current_only(select(reports)).order_by(reports.c.month.desc(), reports.c.project_id)
    for column, value in (
        ("unit_code", unit_code),
        ("project_id", project_id),
        ("month", month),
        ("late", late),
    ):
        if value is not None:
            stmt = stmt.where(reports.c[column] == value)
    rows, total = await _page(conn, stmt, page=page, page_size=page_size)
    return s.Page(items=[report_out(r) for r in rows], total=total, page=page, page_size=page_size)


async def list_anomalies(
    *,
    conn: AsyncConnection,
    status: AnomalyStatus | None,
    unit_code: str | None,
    project_id: str | None,
    rule: str | None,
    month: str | None,
    page: int,
    page_size: int,
) -> s.Page[s.AnomalyOut]:
    stmt = select(anomalies).order_by(anomalies.c.created_at.desc(), anomalies.c.id)
    for column, value in (
        ("status", status),
        ("unit_code", unit_code),
        ("project_id", project_id),
        ("rule", rule),
        ("month", month),
    ):
        if value is not None:
            stmt = stmt.where(anomalies.c[column] == str(value))
    rows, total = await _page(conn, stmt, page=page, page_size=page_size)
    return s.Page(items=[anomaly_out(r) for r in rows], total=total, page=page, page_size=page_size)


async def get_anomaly(*, conn: AsyncConnection, anomaly_id: str) -> s.AnomalyOut:
    row = (await conn.execute(select(anomalies).where(anomalies.c.id == anomaly_id))).first()
    if row is None:
        raise not_found("anomaly", anomaly_id)
    return anomaly_out(row)


def project_out(p: Any) -> s.ProjectOut:
    return s.ProjectOut(
        project_id=p.id,
        code=p.code,
        name=p.name,
        unit_code=p.unit_code,
        stage=p.stage,
        build_type=p.build_type,
        total_investment=p.total_investment,
        annual_plan_investment=p.annual_plan_investment,
        plan_year=p.plan_year,
        planned_start=p.planned_start,
        stats_registered=p.stats_registered,
        version=p.version,
    )


async def list_projects(
    *, conn: AsyncConnection, unit_code: str | None, stage: str | None, page: int, page_size: int
) -> s.Page[s.ProjectOut]:
    stmt = select(projects).order_by(projects.c.unit_code, projects.c.id)
    if unit_code:
        stmt = stmt.where(projects.c.unit_code == unit_code)
    if stage:
        stmt = stmt.where(projects.c.stage == stage)
    rows, total = await _page(conn, stmt, page=page, page_size=page_size)
    return s.Page(items=[project_out(p) for p in rows], total=total, page=page, page_size=page_size)


async def load_project(conn: AsyncConnection, project_id: str) -> Any:
    p = (await conn.execute(select(projects).where(projects.c.id == project_id))).first()
    if p is None:
        raise not_found("project", project_id)
    return p


async def get_project(*, conn: AsyncConnection, project_id: str) -> s.ProjectOut:
    return project_out(await load_project(conn, project_id))


async def list_lights(
    *,
    conn: AsyncConnection,
    scope: str | None,
    unit_code: str | None,
    light: str | None,
    kind: str | None,
    page: int,
    page_size: int,
) -> s.Page[s.LightOut]:
    """The last light of each subject, as the lights job stored it."""
    stmt = select(light_states).order_by(
        light_states.c.unit_code, light_states.c.scope, light_states.c.subject, light_states.c.kind
    )
    for column, value in (("scope", scope), ("unit_code", unit_code), ("light", light), ("kind", kind)):
        if value is not None:
            stmt = stmt.where(light_states.c[column] == value)
    rows, total = await _page(conn, stmt, page=page, page_size=page_size)
    return s.Page(
        items=[
            s.LightOut(
                scope=r.scope,
                kind=r.kind,
                subject=r.subject,
                unit_code=r.unit_code,
                month=r.month,
                light=r.light,
                reason=r.reason,
                gap_points=r.gap_points,
            )
            for r in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


async def list_unit_returns(
    *, conn: AsyncConnection, unit_code: str | None, month: str | None, page: int, page_size: int
) -> s.Page[s.UnitReturnOut]:
    stmt = select(unit_returns).order_by(
        unit_returns.c.month.desc(), unit_returns.c.unit_code, unit_returns.c.revision.desc()
    )
    if unit_code:
        stmt = stmt.where(unit_returns.c.unit_code == unit_code)
    if month:
        stmt = stmt.where(unit_returns.c.month == month)
    rows, total = await _page(conn, stmt, page=page, page_size=page_size)
    return s.Page(
        items=[
            s.UnitReturnOut(
                unit_code=r.unit_code,
                month=r.month,
                revision=r.revision,
                above_size_enterprises=r.above_size_enterprises,
                note=r.note,
                late=r.late,
                submitted_at=r.submitted_at,
                submitted_by=r.submitted_by,
            )
            for r in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


def report_out(row: Any, briefs: list[s.AnomalyBrief] | None = None) -> s.ReportOut:
    return s.ReportOut(
        report_id=row.report_id,
        revision=row.revision,
        project_id=row.project_id,
        unit_code=row.unit_code,
        month=row.month,
        investment_month=row.investment_month,
        investment_ytd=row.investment_ytd,
        investment_cumulative=row.investment_cumulative,
        construction_status=row.construction_status,
        actual_start_date=row.actual_start_date,
        procedures=row.procedures,
        stats_registered=row.stats_registered,
        stats_registered_on=row.stats_registered_on,
        signed_amount=row.signed_amount,
        funds_in_place=row.funds_in_place,
        narrative=row.narrative,
        attachments=row.attachments,
        flags=row.flags,
        late=row.late,
        reason=row.reason,
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by,
        anomalies=briefs or [],
    )
