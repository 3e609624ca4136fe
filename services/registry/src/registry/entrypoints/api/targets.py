"""Targets (目标任务): set many at once, list."""

from __future__ import annotations

from fastapi import APIRouter

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from diaodu_platform.paging import Page, PageNo, PageSize
from registry.entrypoints.deps import NewUow
from registry.entrypoints.schemas import TargetsIn
from registry.service_layer import targets
from registry.service_layer.queries import targets as queries
from registry.service_layer.read_models import TargetOut, TargetsUpsertOut

router = APIRouter(tags=["targets"])


@router.put("/targets", response_model=TargetsUpsertOut)
async def upsert_targets(body: TargetsIn, _: Admin, now: Now, new_uow: NewUow) -> TargetsUpsertOut:
    """Bulk upsert; all lines are checked first and nothing is saved if one is wrong."""
    async with new_uow() as uow:
        return await targets.upsert_targets(uow=uow, cmd=body.command(), now=now)


@router.get("/targets", response_model=Page[TargetOut])
async def list_targets(
    conn: Conn,
    _: CurrentPrincipal,
    metric: str | None = None,
    period: str | None = None,
    scope: str | None = None,
    unit_code: str | None = None,
    campaign_id: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 200,
) -> Page[TargetOut]:
    return await queries.list_targets(
        conn=conn,
        metric=metric,
        period=period,
        scope=scope,
        unit_code=unit_code,
        campaign_id=campaign_id,
        page=page,
        page_size=page_size,
    )
