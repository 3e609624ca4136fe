"""R6 rates: 复工率, 新建开工率, 开复工率, 手续办结率, 入统率."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from diaodu_platform.paging import PageNo, PageSize
from progress.service_layer.queries import rates as queries
from progress.service_layer.read_models import RatesOut, UnitRatesOut

router = APIRouter()


@router.get("/rates", response_model=RatesOut, tags=["rates"])
async def get_rates(
    now: Now,
    conn: Conn,
    _: CurrentPrincipal,
    at: date | None = None,
    unit_code: str | None = None,
    campaign_id: str | None = None,
) -> RatesOut:
    """复工率, 新建开工率, 开复工率, 手续办结率, 入统率 of a unit (or the region) at a date, default today."""
    return await queries.rates_for(
        conn=conn, at=at or now.date(), unit_code=unit_code, campaign_id=campaign_id
    )


@router.get("/rates/units", response_model=UnitRatesOut, tags=["rates"])
async def rates_by_unit(
    now: Now,
    conn: Conn,
    _: CurrentPrincipal,
    at: date | None = None,
    campaign_id: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 100,
) -> UnitRatesOut:
    """R6 rates of the region and of each unit."""
    return await queries.rates_by_unit(
        conn=conn, at=at or now.date(), campaign_id=campaign_id, page=page, page_size=page_size
    )
