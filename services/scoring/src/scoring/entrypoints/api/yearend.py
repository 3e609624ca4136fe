"""The year-end total (年度算总账)."""

from __future__ import annotations

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from scoring.entrypoints.deps import json_router
from scoring.service_layer.queries.yearend import year_end_total
from scoring.service_layer.read_models import YearTotalOut

router = json_router()


@router.get("/year-totals/{year}", tags=["rankings"])
async def year_total(year: int, _: CurrentPrincipal, conn: Conn) -> YearTotalOut:
    """年度算总账: every month's published ranking of the year added up per unit."""
    return await year_end_total(conn, year=year)
