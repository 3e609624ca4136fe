"""序时进度 (R2): the expected share at a month's end, or of a campaign window at a date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from progress.adapters.tables import campaigns
from progress.domain.model import Month
from progress.domain.policy import Policy
from progress.domain.schedule import campaign_share, expected_share
from progress.service_layer import read_models as rm


async def schedule(
    *,
    conn: AsyncConnection,
    month: Month | None,
    campaign_id: str | None,
    at: date | None,
    today: date,
    policy: Policy,
) -> rm.ScheduleOut:
    """R2: the expected share at the end of a month, or of a campaign window at a date."""
    if campaign_id is not None:
        c = (await conn.execute(select(campaigns).where(campaigns.c.id == campaign_id))).first()
        if c is None:
            raise not_found("campaign", campaign_id)
        day = at or (month.last_day if month else c.end_date)
        return rm.ScheduleOut(
            month=str(month) if month else None,
            campaign_id=campaign_id,
            at=day,
            curve="campaign_window",
            expected_share=campaign_share(c.start_date, c.end_date, day),
        )
    target = month or Month.of(at or today)
    return rm.ScheduleOut(
        month=str(target), curve=policy.schedule_curve.value, expected_share=expected_share(target, policy)
    )
