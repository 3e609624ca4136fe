"""Flagged figures (R4) and their reviews."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page, fetch_page
from progress.adapters.tables import anomalies
from progress.domain.model import AnomalyStatus
from progress.service_layer.read_models import AnomalyOut


def anomaly_out(row: Any) -> AnomalyOut:
    return AnomalyOut(
        anomaly_id=row.id,
        report_id=row.report_id,
        revision=row.revision,
        project_id=row.project_id,
        unit_code=row.unit_code,
        month=row.month,
        rule=row.rule,
        detail=row.detail,
        figures=row.figures,
        status=row.status,
        review_note=row.review_note,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        created_at=row.created_at,
    )


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
) -> Page[AnomalyOut]:
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
    rows, total = await fetch_page(conn, stmt, page=page, page_size=page_size)
    return Page(items=[anomaly_out(r) for r in rows], total=total, page=page, page_size=page_size)


async def get_anomaly(*, conn: AsyncConnection, anomaly_id: str) -> AnomalyOut:
    row = (await conn.execute(select(anomalies).where(anomalies.c.id == anomaly_id))).first()
    if row is None:
        raise not_found("anomaly", anomaly_id)
    return anomaly_out(row)
