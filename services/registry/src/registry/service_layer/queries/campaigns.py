"""Reading campaigns (行动)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from diaodu_platform.db import session_on
from diaodu_platform.errors import not_found
from registry.adapters.tables import Campaign
from registry.service_layer.read_models import CampaignOut, campaign_out


async def list_campaigns(*, conn: AsyncConnection) -> list[CampaignOut]:
    """Every campaign, by start date."""
    async with session_on(conn) as session:
        rows = (await session.execute(select(Campaign).order_by(col(Campaign.start_date)))).scalars().all()
    return [campaign_out(c) for c in rows]


async def get_campaign(*, conn: AsyncConnection, campaign_id: str) -> CampaignOut:
    async with session_on(conn) as session:
        c = await session.get(Campaign, campaign_id)
    if c is None:
        raise not_found("campaign", campaign_id)
    return campaign_out(c)
