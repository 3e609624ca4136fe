"""Problem statistics from the escalation events (R7, R8)."""

from __future__ import annotations

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from scoring.entrypoints.deps import json_router
from scoring.service_layer.queries.problems import problem_stats as stats
from scoring.service_layer.read_models import ProblemStatsOut

router = json_router()


@router.get("/problem-stats", tags=["problems"])
async def problem_stats(
    _: CurrentPrincipal, conn: Conn, unit_code: str | None = None
) -> list[ProblemStatsOut]:
    """Problem statistics per owner unit, from the escalation events."""
    return await stats(conn, unit_code=unit_code)
