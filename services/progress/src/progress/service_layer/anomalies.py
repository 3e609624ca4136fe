"""Review of flagged figures (R4): the campaign office confirms or dismisses each flag, once."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.auth import Principal
from diaodu_platform.errors import Problem, conflict, not_found
from progress.domain.model import AnomalyStatus
from progress.events import AnomalyReviewed
from progress.service_layer.commands import ReviewAnomaly
from progress.service_layer.queries.anomalies import anomaly_out
from progress.service_layer.read_models import AnomalyOut
from progress.service_layer.unit_of_work import ProgressUnitOfWork


async def review_anomaly(
    *, uow: ProgressUnitOfWork, cmd: ReviewAnomaly, now: datetime, principal: Principal
) -> AnomalyOut:
    """Confirm or dismiss a flagged figure, once; the review is an event, anomaly_reviewed (R4)."""
    if cmd.status is AnomalyStatus.OPEN:
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
    row = await uow.anomalies.review(
        cmd.anomaly_id, status=cmd.status, note=cmd.note, by=principal.sub, at=now
    )
    if row is None:
        status = await uow.anomalies.status_of(cmd.anomaly_id)
        if status is None:
            raise not_found("anomaly", cmd.anomaly_id)
        raise conflict(f"anomaly {cmd.anomaly_id} was already reviewed ({status})", review_status=status)
    uow.emit(
        AnomalyReviewed(
            anomaly_id=row.id,
            report_id=row.report_id,
            project_id=row.project_id,
            unit_code=row.unit_code,
            month=row.month,
            rule=row.rule,
            status=cmd.status,
            note=cmd.note,
            reviewed_by=principal.sub,
            reviewed_at=now,
        )
    )
    return anomaly_out(row)
