"""Commands on campaigns (行动): create one."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.errors import conflict
from registry.adapters.tables import Campaign
from registry.events import CampaignCreated
from registry.service_layer.commands import CreateCampaign
from registry.service_layer.read_models import CampaignOut, campaign_out
from registry.service_layer.unit_of_work import RegistryUnitOfWork


async def create_campaign(*, uow: RegistryUnitOfWork, cmd: CreateCampaign, now: datetime) -> CampaignOut:
    """Create a 行动 window; its id and its name are each one campaign's only."""
    if await uow.campaigns.get(cmd.id):
        raise conflict(f"campaign {cmd.id!r} already exists")
    if await uow.campaigns.id_named(cmd.name):
        raise conflict(f"a campaign named {cmd.name!r} already exists")
    campaign = Campaign(
        id=cmd.id,
        name=cmd.name,
        start_date=cmd.start_date,
        end_date=cmd.end_date,
        description=cmd.description,
        created_at=now,
    )
    uow.campaigns.add(campaign)
    uow.emit(
        CampaignCreated(
            campaign_id=cmd.id,
            campaign_name=cmd.name,
            start_date=cmd.start_date,
            end_date=cmd.end_date,
            description=cmd.description,
        )
    )
    return campaign_out(campaign)
