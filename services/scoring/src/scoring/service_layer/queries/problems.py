"""Problem statistics per owner unit, from the projection of escalation's problem events (R7, R8)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.tables import problems
from scoring.service_layer.read_models import ProblemStatsOut


async def problem_stats(conn: AsyncConnection, *, unit_code: str | None = None) -> list[ProblemStatsOut]:
    """Per owner unit: problems raised, open, resolved, major, SLA breaches and escalations."""
    p = problems
    is_open = p.c.status != "resolved"
    stmt = (
        select(
            p.c.owner_unit,
            func.count().label("total"),
            func.count().filter(is_open).label("open"),
            func.count().filter(p.c.status == "resolved").label("resolved"),
            func.count().filter(p.c.severity == "major").label("major"),
            func.count().filter(is_open, p.c.level >= 2).label("open_escalated"),
            func.coalesce(func.sum(p.c.breaches), 0).label("sla_breaches"),
            func.coalesce(func.sum(p.c.escalations), 0).label("escalations"),
        )
        .group_by(p.c.owner_unit)
        .order_by(p.c.owner_unit)
    )
    if unit_code:
        stmt = stmt.where(p.c.owner_unit == unit_code)
    return [ProblemStatsOut.model_validate(dict(r._mapping)) for r in await conn.execute(stmt)]
