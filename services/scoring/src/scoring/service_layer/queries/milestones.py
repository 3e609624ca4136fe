"""Reading the recorded milestone checks (R10)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.tables import milestone_checks
from scoring.service_layer.read_models import MilestoneCheckOut


async def list_checks(
    conn: AsyncConnection, *, year: int | None, unit_code: str | None, missed: bool | None
) -> list[MilestoneCheckOut]:
    t = milestone_checks
    stmt = select(t).order_by(t.c.period, t.c.scope_key, t.c.metric)
    if year:
        stmt = stmt.where(t.c.period.like(f"{year:04d}Q%"))
    if unit_code:
        stmt = stmt.where(t.c.scope_key == unit_code)
    if missed is not None:
        stmt = stmt.where(t.c.missed == missed)
    return [MilestoneCheckOut.model_validate(dict(r._mapping)) for r in await conn.execute(stmt)]
