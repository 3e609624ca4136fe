"""督办函 lists (R8), as JSON pages and as the rows of their XLSX export."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from diaodu_platform.db import session_on
from diaodu_platform.paging import Page, fetch_page
from escalation.adapters.tables import NoticeRow, ProblemRow, UnitView
from escalation.service_layer.read_models import NoticeOut


def notice_out(n: NoticeRow) -> NoticeOut:
    return NoticeOut(
        number=n.number,
        problem_id=n.problem_id,
        level=n.level,
        reason=n.reason,
        issued_by=n.issued_by,
        issued_at=n.issued_at,
        owner_unit=n.owner_unit,
        deadline=n.deadline,
        note=n.note,
    )


def _notices(year: int | None, problem_id: str | None) -> Select[NoticeRow]:
    stmt = select(NoticeRow)
    if year is not None:
        stmt = stmt.where(col(NoticeRow.year) == year)
    if problem_id is not None:
        stmt = stmt.where(col(NoticeRow.problem_id) == problem_id)
    return stmt


async def list_notices(
    *, conn: AsyncConnection, year: int | None, problem_id: str | None, page: int, page_size: int
) -> Page[NoticeOut]:
    """督办函 in number order, by year and problem."""
    stmt = _notices(year, problem_id).order_by(col(NoticeRow.year), col(NoticeRow.seq))
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
        return Page(items=[notice_out(n) for n in rows], total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class NoticeLine:
    """A 督办函 with the title of its problem and the name of the unit it is addressed to."""

    notice: NoticeOut
    problem_title: str
    owner_unit_name: str | None


async def all_notices(*, conn: AsyncConnection, year: int | None, problem_id: str | None) -> list[NoticeLine]:
    """Every 督办函 of the list's filters, in number order (for the XLSX export)."""
    stmt = (
        _notices(year, problem_id)
        .add_columns(col(ProblemRow.title), col(UnitView.name))
        .join(ProblemRow, col(ProblemRow.id) == col(NoticeRow.problem_id))
        .outerjoin(UnitView, col(UnitView.code) == col(NoticeRow.owner_unit))
        .order_by(col(NoticeRow.year), col(NoticeRow.seq))
    )
    async with session_on(conn) as session:
        rows = (await session.execute(stmt)).all()
        return [NoticeLine(notice_out(n), title, unit_name) for n, title, unit_name in rows]
