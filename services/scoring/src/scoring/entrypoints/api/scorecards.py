"""A unit's scorecards across the published rankings (for its leaders)."""

from __future__ import annotations

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from scoring.entrypoints.deps import YearQ, json_router
from scoring.service_layer.queries.rankings import unit_scorecards
from scoring.service_layer.read_models import UnitScorecardOut

router = json_router()


@router.get("/scorecards", tags=["rankings"])
async def list_scorecards(
    _: CurrentPrincipal, conn: Conn, unit_code: str, year: YearQ | None = None
) -> list[UnitScorecardOut]:
    """A unit's scorecards of the published rankings (the latest ranking of each month)."""
    return await unit_scorecards(conn, unit_code=unit_code, year=year)
