"""A project's year month by month (R2, R3): its report and revisions, 序时进度 and lights."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from progress.adapters.tables import anomalies, reports
from progress.domain.model import AnomalyStatus, Month
from progress.domain.policy import Policy
from progress.domain.schedule import actual_share, expected_share
from progress.service_layer import read_models as rm
from progress.service_layer.queries.monthly import project_month
from progress.service_layer.queries.months import project_lights
from progress.service_layer.queries.projects import load_project, project_out
from progress.service_layer.queries.reports import report_out


async def timeline(
    *, conn: AsyncConnection, project_id: str, year: int, now: datetime, policy: Policy
) -> rm.TimelineOut:
    """Month by month up to now: the current revision, how many revisions, schedule and lights."""
    p = await load_project(conn, project_id)
    rows = (
        await conn.execute(
            select(reports)
            .where(reports.c.project_id == project_id)
            .order_by(reports.c.month, reports.c.revision)
        )
    ).all()
    current: dict[str, Any] = {}
    revisions: dict[str, int] = {}
    for r in rows:
        current[r.month] = r
        revisions[r.month] = revisions.get(r.month, 0) + 1
    last = min(Month(year, 12), Month.of(now.date()))
    months = []
    month = Month(year, 1)
    while month <= last:
        earlier = [m for m in current if m <= str(month)]
        latest = current[max(earlier)] if earlier else None
        pm = project_month(p, latest, month, policy)
        months.append(
            rm.MonthEntry(
                month=str(month),
                report=report_out(pm.report) if pm.report is not None else None,
                revisions=revisions.get(str(month), 0),
                required=pm.required,
                expected_share=expected_share(month, policy),
                actual_share=actual_share(pm.ytd, p.annual_plan_investment) if p.plan_year == year else None,
                lights=project_lights(pm, month),
            )
        )
        month = month.plus(1)
    open_count = (
        await conn.execute(
            select(func.count())
            .select_from(anomalies)
            .where(anomalies.c.project_id == project_id, anomalies.c.status == AnomalyStatus.OPEN.value)
        )
    ).scalar_one()
    return rm.TimelineOut(project=project_out(p), year=year, months=months, open_anomalies=int(open_count))
