"""Review of flagged figures (R4): the campaign office confirms or dismisses each flag, once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.auth import Principal
from diaodu_platform.errors import Problem, conflict, not_found
from diaodu_platform.outbox import Outbox
from progress.adapters.tables import anomalies
from progress.domain.model import AnomalyStatus
from progress.entrypoints import schemas as s
from progress.events import AnomalyReviewed


async def review_anomaly(
    *,
    conn: AsyncConnection,
    outbox: Outbox,
    principal: Principal,
    anomaly_id: str,
    data: s.ReviewIn,
    now: datetime,
) -> s.AnomalyOut:
    """Confirm or dismiss a flagged figure, once; the review is an event (anomaly_reviewed)."""
    if data.status is AnomalyStatus.OPEN:
        raise Problem(
            422,
            "Invalid review",
            "status must be confirmed or dismissed",
            type_="/problems/validation",
            errors=[
                {
                    "field": "status",
                    "message": "confirmed or dismissed",
                    "allowed": ["confirmed", "dismissed"],
                }
            ],
        )
    row = (
        await conn.execute(
            update(anomalies)
            .where(anomalies.c.id == anomaly_id, anomalies.c.status == AnomalyStatus.OPEN.value)
            .values(
                status=data.status.value, review_note=data.note, reviewed_by=principal.sub, reviewed_at=now
            )
            .returning(*anomalies.c)
        )
    ).first()
    if row is None:
        existing = (
            await conn.execute(select(anomalies.c.status).where(anomalies.c.id == anomaly_id))
        ).first()
        if existing is None:
            raise not_found("anomaly", anomaly_id)
        raise conflict(
            f"anomaly {anomaly_id} was already reviewed ({existing.status})", review_status=existing.status
        )
    await outbox.add(
        conn,
        AnomalyReviewed(
            anomaly_id=row.id,
            report_id=row.report_id,
            project_id=row.project_id,
            unit_code=row.unit_code,
            month=row.month,
            rule=row.rule,
            status=data.status,
            note=data.note,
            reviewed_by=principal.sub,
            reviewed_at=now,
        ),
    )
    return anomaly_out(row)


def anomaly_out(row: Any) -> s.AnomalyOut:
    return s.AnomalyOut(
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
