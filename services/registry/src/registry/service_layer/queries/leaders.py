"""Reading leaders (包联领导) with their assignments."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from diaodu_platform.db import session_on
from diaodu_platform.paging import Page, fetch_page
from registry.adapters.tables import Leader, LeaderAssignment
from registry.service_layer.read_models import AssignmentOut, LeaderOut, assignment_out


async def list_leaders(
    *, conn: AsyncConnection, unit_code: str | None, page: int, page_size: int
) -> Page[LeaderOut]:
    """Leaders by id, each with every assignment; filtered by a unit they are assigned to."""
    stmt = select(Leader).order_by(col(Leader.id))
    if unit_code:
        stmt = stmt.where(
            col(col(Leader.id)).in_(
                select(col(LeaderAssignment.leader_id)).where(LeaderAssignment.unit_code == unit_code)
            )
        )
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
        of_page = select(LeaderAssignment).where(col(LeaderAssignment.leader_id).in_([r.id for r in rows]))
        assignments = (await session.execute(of_page)).scalars().all()
    by_leader: dict[str, list[AssignmentOut]] = {}
    for a in assignments:
        by_leader.setdefault(a.leader_id, []).append(assignment_out(a))
    items = [
        LeaderOut(id=r.id, name=r.name, title=r.title, assignments=by_leader.get(r.id, [])) for r in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)
