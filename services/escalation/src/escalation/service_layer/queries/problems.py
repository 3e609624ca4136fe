"""The 督查室's problem lists and a problem's detail: reporters see their unit's, leaders their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from diaodu_platform.auth import Principal, Role
from diaodu_platform.db import session_on
from diaodu_platform.errors import forbidden, not_found
from diaodu_platform.paging import Page, fetch_page
from escalation.adapters.repositories import HistoryRepository
from escalation.adapters.tables import LeaderView, NoticeRow, ProblemRow
from escalation.domain.model import Status
from escalation.service_layer.queries.notices import notice_out
from escalation.service_layer.queries.views import leader_filter, problem_outs
from escalation.service_layer.read_models import ProblemDetail, ProblemOut
from escalation.service_layer.transitions import history_entries


def _unit_filter(unit: str) -> Any:
    return or_(
        col(ProblemRow.owner_unit) == unit,
        col(ProblemRow.raised_unit) == unit,
        col(ProblemRow.co_units).contains([unit]),
    )


@dataclass(frozen=True)
class ProblemFilter:
    """The 督查室's list filters, shared by the problem list and its XLSX export."""

    state: str = "open"  # open | resolved | all
    status: Status | None = None
    level: int | None = None
    owner_unit: str | None = None
    leader_id: str | None = None
    overdue: bool | None = None
    project_id: str | None = None
    category: str | None = None
    severity: str | None = None
    source: str | None = None


def _problems(principal: Principal, now: datetime, f: ProblemFilter) -> Select[ProblemRow]:
    """The problems `principal` may see that match `f`: reporters their unit's, leaders their own."""
    stmt = select(ProblemRow)
    leader_id = f.leader_id
    if principal.role is Role.reporter and principal.unit:
        stmt = stmt.where(_unit_filter(principal.unit))
    if principal.role is Role.leader:
        leader_id = principal.sub
    if f.state == "open":
        stmt = stmt.where(col(ProblemRow.status) != Status.RESOLVED)
    elif f.state == "resolved":
        stmt = stmt.where(col(ProblemRow.status) == Status.RESOLVED)
    for column in ("status", "level", "owner_unit", "project_id", "category", "severity", "source"):
        value = getattr(f, column)
        if value is not None:
            stmt = stmt.where(getattr(ProblemRow, column) == value)
    if leader_id:
        stmt = stmt.where(leader_filter(leader_id))
    if f.overdue is not None:
        late = (col(ProblemRow.status) != Status.RESOLVED) & (col(ProblemRow.due_at) <= now)
        stmt = stmt.where(late if f.overdue else ~late | col(ProblemRow.due_at).is_(None))
    return stmt


def _in_list_order(stmt: Select[ProblemRow]) -> Select[ProblemRow]:
    return stmt.order_by(
        col(ProblemRow.level).desc(),
        col(ProblemRow.due_at).asc().nulls_last(),
        col(ProblemRow.raised_at),
        col(ProblemRow.id),
    )


async def list_problems(
    *,
    conn: AsyncConnection,
    principal: Principal,
    now: datetime,
    filters: ProblemFilter,
    page: int,
    page_size: int,
) -> Page[ProblemOut]:
    """Open problems by level, owner, leader and overdue state (the 督查室's lists, R8)."""
    stmt = _in_list_order(_problems(principal, now, filters))
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
        items = await problem_outs(session, rows, now)
    return Page(items=items, total=total, page=page, page_size=page_size)


async def all_problems(
    *, conn: AsyncConnection, principal: Principal, now: datetime, filters: ProblemFilter
) -> list[ProblemOut]:
    """Every problem of the list `filters` selects, in the list's order (for the XLSX export)."""
    async with session_on(conn) as session:
        rows = (await session.execute(_in_list_order(_problems(principal, now, filters)))).scalars().all()
        return await problem_outs(session, rows, now)


async def leader_names(*, conn: AsyncConnection, ids: Iterable[str]) -> dict[str, str]:
    rows = await conn.execute(
        select(col(LeaderView.id), col(LeaderView.name)).where(col(LeaderView.id).in_(set(ids)))
    )
    return {r[0]: r[1] for r in rows.all()}


async def _detail(session: AsyncSession, p: ProblemRow, out: ProblemOut) -> ProblemDetail:
    notices = (
        (
            await session.execute(
                select(NoticeRow).where(col(NoticeRow.problem_id) == p.id).order_by(col(NoticeRow.id))
            )
        )
        .scalars()
        .all()
    )
    history = history_entries(await HistoryRepository(session).of(p.id))
    return ProblemDetail(**out.model_dump(), history=history, notices=[notice_out(n) for n in notices])


async def get_problem(
    *, conn: AsyncConnection, principal: Principal, problem_id: str, now: datetime
) -> ProblemDetail:
    """One problem with all its clocks, its notices and its full history (R8)."""
    async with session_on(conn) as session:
        p = await session.get(ProblemRow, problem_id)
        if p is None:
            raise not_found("problem", problem_id)
        out = (await problem_outs(session, [p], now, running_only=False))[0]
        if principal.role is Role.reporter and principal.unit not in (
            p.owner_unit,
            p.raised_unit,
            *p.co_units,
        ):
            raise forbidden(f"problem {p.id} is not one of unit {principal.unit}'s problems")
        return await _detail(session, p, out)
