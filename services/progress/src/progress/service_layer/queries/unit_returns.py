"""Units' monthly returns (新增入规企业, R9), every revision."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.paging import Page, fetch_page
from progress.adapters.tables import unit_returns
from progress.service_layer.read_models import UnitReturnOut


async def list_unit_returns(
    *, conn: AsyncConnection, unit_code: str | None, month: str | None, page: int, page_size: int
) -> Page[UnitReturnOut]:
    stmt = select(unit_returns).order_by(
        unit_returns.c.month.desc(), unit_returns.c.unit_code, unit_returns.c.revision.desc()
    )
    if unit_code:
        stmt = stmt.where(unit_returns.c.unit_code == unit_code)
    if month:
        stmt = stmt.where(unit_returns.c.month == month)
    rows, total = await fetch_page(conn, stmt, page=page, page_size=page_size)
    return Page(
        items=[
            UnitReturnOut(
                unit_code=r.unit_code,
                month=r.month,
                revision=r.revision,
                above_size_enterprises=r.above_size_enterprises,
                note=r.note,
                late=r.late,
                submitted_at=r.submitted_at,
                submitted_by=r.submitted_by,
            )
            for r in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )
