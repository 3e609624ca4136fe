"""序时进度 (R2)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from progress.domain.model import Month
from progress.entrypoints.deps import month_param
from progress.service_layer.queries.policy import policy_in_force
from progress.service_layer.queries.schedule import schedule
from progress.service_layer.read_models import ScheduleOut

router = APIRouter()


@router.get("/schedule", response_model=ScheduleOut, tags=["schedule"])
async def get_schedule(
    now: Now,
    conn: Conn,
    _: CurrentPrincipal,
    month: str | None = None,
    campaign_id: str | None = None,
    at: date | None = None,
) -> ScheduleOut:
    """序时进度 (R2): m/12 or the milestone curve at a month's end, or a campaign window's elapsed share."""
    policy = await policy_in_force(conn=conn)
    return await schedule(
        conn=conn,
        month=Month.parse(month_param(month)) if month else None,
        campaign_id=campaign_id,
        at=at,
        today=now.date(),
        policy=policy,
    )
