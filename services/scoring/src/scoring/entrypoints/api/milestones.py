"""Quarter-end milestones (R10): check a quarter, list the recorded checks."""

from __future__ import annotations

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from scoring.entrypoints.deps import NewUow, YearQ, json_router
from scoring.entrypoints.schemas import MilestoneCheckIn
from scoring.service_layer.milestones import check_milestones as check
from scoring.service_layer.queries.milestones import list_checks
from scoring.service_layer.read_models import MilestoneCheckOut, MilestoneResultOut

router = json_router()


@router.post("/milestones/check", tags=["milestones"])
async def check_milestones(
    body: MilestoneCheckIn, _: Admin, new_uow: NewUow, now: Now
) -> list[MilestoneResultOut]:
    """Check a quarter now; each miss is published once per (unit or region, quarter, metric)."""
    async with new_uow() as uow:
        return await check(uow=uow, cmd=body.to_command(), now=now)


@router.get("/milestones", tags=["milestones"])
async def list_milestones(
    _: CurrentPrincipal,
    conn: Conn,
    year: YearQ | None = None,
    unit_code: str | None = None,
    missed: bool | None = None,
) -> list[MilestoneCheckOut]:
    return await list_checks(conn, year=year, unit_code=unit_code, missed=missed)
