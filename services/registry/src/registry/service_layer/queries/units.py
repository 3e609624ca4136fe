"""Reading units (责任单位)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from diaodu_platform.db import session_on
from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page, fetch_page
from registry.adapters.tables import Unit
from registry.service_layer.read_models import UnitOut, unit_out


async def list_units(
    *,
    conn: AsyncConnection,
    kind: str | None,
    parent_code: str | None,
    q: str | None,
    page: int,
    page_size: int,
) -> Page[UnitOut]:
    """Units by code, filtered by kind, parent and a part of the name."""
    stmt = select(Unit).order_by(col(Unit.code))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if parent_code:
        stmt = stmt.where(Unit.parent_code == parent_code)
    if q:
        stmt = stmt.where(col(Unit.name).contains(q))
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
    return Page(items=[unit_out(u) for u in rows], total=total, page=page, page_size=page_size)


async def get_unit(*, conn: AsyncConnection, code: str) -> UnitOut:
    async with session_on(conn) as session:
        unit = await session.get(Unit, code)
    if unit is None:
        raise not_found("unit", code)
    return unit_out(unit)
