"""Reports with their revisions (R4: corrections are new revisions, the original stays visible)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page, fetch_page
from progress.adapters.tables import anomalies, reports
from progress.service_layer.read_models import AnomalyBrief, ReportHistoryOut, ReportOut


def report_out(row: Any, briefs: list[AnomalyBrief] | None = None) -> ReportOut:
    return ReportOut(
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


async def get_report(*, conn: AsyncConnection, report_id: str) -> ReportHistoryOut:
    """A report with every revision, newest first, each with the anomalies it raised."""
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
                AnomalyBrief(anomaly_id=a.id, rule=a.rule, detail=a.detail)
                for a in flagged
                if a.revision == r.revision
            ],
        )
        for r in rows
    ]
    head = rows[0]
    return ReportHistoryOut(
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
) -> Page[ReportOut]:
    stmt = _current_only(select(reports)).order_by(reports.c.month.desc(), reports.c.project_id)
    for column, value in (
        ("unit_code", unit_code),
        ("project_id", project_id),
        ("month", month),
        ("late", late),
    ):
        if value is not None:
            stmt = stmt.where(reports.c[column] == value)
    rows, total = await fetch_page(conn, stmt, page=page, page_size=page_size)
    return Page(items=[report_out(r) for r in rows], total=total, page=page, page_size=page_size)
