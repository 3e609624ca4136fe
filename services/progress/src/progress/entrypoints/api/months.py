"""A unit's and the region's month (R2, R3, R5)."""

from __future__ import annotations

from fastapi import APIRouter

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.paging import PageNo, PageSize
from progress.domain.model import Month
from progress.entrypoints.deps import month_param
from progress.service_layer.queries import months as queries
from progress.service_layer.queries.policy import policy_in_force
from progress.service_layer.read_models import RegionMonthOut, UnitMonthOut

router = APIRouter()


@router.get("/units/{unit_code}/months/{month}", response_model=UnitMonthOut, tags=["months"])
async def unit_month(
    unit_code: str, month: str, conn: Conn, _: CurrentPrincipal, page: PageNo = 1, page_size: PageSize = 100
) -> UnitMonthOut:
    """Reports in, missing projects, lights, and totals against the target (or the annual plans)."""
    policy = await policy_in_force(conn=conn)
    return await queries.unit_month(
        conn=conn,
        unit_code=unit_code,
        month=Month.parse(month_param(month)),
        policy=policy,
        page=page,
        page_size=page_size,
    )


@router.get("/region/months/{month}", response_model=RegionMonthOut, tags=["months"])
async def region_month(
    month: str, conn: Conn, _: CurrentPrincipal, page: PageNo = 1, page_size: PageSize = 100
) -> RegionMonthOut:
    """The region's month: totals against the regional target and every unit's light."""
    policy = await policy_in_force(conn=conn)
    return await queries.region_month(
        conn=conn, month=Month.parse(month_param(month)), policy=policy, page=page, page_size=page_size
    )
