"""Reports: target coverage (R1 目标分解) and reserve health (R11 储备)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from registry.service_layer.queries import reserve, targets
from registry.service_layer.read_models import CoverageOut, ReserveHealthOut

router = APIRouter(tags=["reports"])


@router.get("/reports/target-coverage", response_model=list[CoverageOut])
async def target_coverage(
    conn: Conn,
    _: CurrentPrincipal,
    metric: str | None = None,
    period: str | None = None,
    campaign_id: str | None = None,
) -> list[CoverageOut]:
    """R1 目标分解: coverage = sum of unit targets / regional target; under-allocation is an error."""
    return await targets.target_coverage(conn=conn, metric=metric, period=period, campaign_id=campaign_id)


@router.get("/reports/reserve-health", response_model=ReserveHealthOut)
async def reserve_health(
    conn: Conn,
    _: CurrentPrincipal,
    year: Annotated[int, Query(ge=2000, le=2100)],
    unit_code: str | None = None,
    required_multiple: Annotated[Decimal, Query(gt=0)] = Decimal(2),
) -> ReserveHealthOut:
    """R11 储备: reserve investment ≥ 2× the year's planned investment; large-project bands."""
    return await reserve.reserve_health_report(
        conn=conn, year=year, unit_code=unit_code, required_multiple=required_multiple
    )
