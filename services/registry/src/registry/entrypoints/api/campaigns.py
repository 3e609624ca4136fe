"""Campaigns (行动): create, list, read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from registry.entrypoints.schemas import CampaignIn
from registry.service_layer import campaigns
from registry.service_layer.queries import campaigns as queries
from registry.service_layer.read_models import CampaignOut

router = APIRouter(tags=["campaigns"])


@router.post("/campaigns", status_code=201, response_model=CampaignOut, responses=CREATED)
async def create_campaign(
    request: Request, body: CampaignIn, principal: Admin, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: campaigns.create_campaign(uow=uow, cmd=body.command(), now=now),
    )


@router.get("/campaigns", response_model=list[CampaignOut])
async def list_campaigns(conn: Conn, _: CurrentPrincipal) -> list[CampaignOut]:
    return await queries.list_campaigns(conn=conn)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: str, conn: Conn, _: CurrentPrincipal) -> CampaignOut:
    return await queries.get_campaign(conn=conn, campaign_id=campaign_id)
