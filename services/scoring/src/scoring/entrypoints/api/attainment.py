"""The target attainment board (R1, R2, R3)."""

from __future__ import annotations

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.http import Now
from scoring.entrypoints.deps import MonthQ, NewUow, YearQ, json_router
from scoring.service_layer.attainment import attainment_board as board
from scoring.service_layer.read_models import BoardOut

router = json_router()


@router.get("/board", tags=["milestones"])
async def attainment_board(
    _: CurrentPrincipal,
    new_uow: NewUow,
    now: Now,
    year: YearQ | None = None,
    month: MonthQ | None = None,
    unit_code: str | None = None,
) -> BoardOut:
    """Target attainment board: every target of the year with actual, target, share and light."""
    async with new_uow() as uow:
        return await board(uow=uow, year=year, month=month, unit_code=unit_code, now=now)
