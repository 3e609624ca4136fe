"""Read side for the 督查室, leaders and units: problem lists, details, notices, meeting items and the
bi-weekly dispatch list (双周调度)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from diaodu_platform.auth import Principal, Role
from diaodu_platform.errors import not_found
from escalation.adapters.tables import (
    ClockRow,
    LeaderAssignmentView,
    LeaderView,
    NoticeRow,
    ProblemRow,
    ProjectView,
    UnitView,
)
from escalation.domain.model import Status
from escalation.entrypoints import schemas as s
from escalation.service_layer.common import history
from escalation.service_layer.problems import forbidden

LA = LeaderAssignmentView


def is_overdue(p: ProblemRow, now: datetime) -> bool:
    return p.status != Status.RESOLVED and p.due_at is not None and p.due_at <= now


def leader_filter(leader_id: str) -> Any:
    project_ids = select(col(LA.project_id)).where(
        col(LA.leader_id) == leader_id, col(LA.project_id).is_not(None)
    )
    unit_codes = select(col(LA.unit_code)).where(col(LA.leader_id) == leader_id, col(LA.project_id).is_(None))
    return or_(col(ProblemRow.project_id).in_(project_ids), col(ProblemRow.owner_unit).in_(unit_codes))


def _unit_filter(unit: str) -> Any:
    return or_(
        col(ProblemRow.owner_unit) == unit,
        col(ProblemRow.raised_unit) == unit,
        col(ProblemRow.co_units).contains([unit]),
    )


async def _leaders_by_problem(session: AsyncSession, problems: Sequence[ProblemRow]) -> dict[str, list[str]]:
    projects = {p.project_id for p in problems if p.project_id}
    units = {p.owner_unit for p in problems}
    rows = (
        await session.execute(
            select(col(LA.leader_id), col(LA.unit_code), col(LA.project_id))
            .where(
                or_(
                    col(LA.project_id).in_(projects),
                    col(LA.unit_code).in_(units) & col(LA.project_id).is_(None),
                )
            )
            .order_by(col(LA.leader_id))
        )
    ).all()
    out: dict[str, list[str]] = {}
    for p in problems:
        by_project = [r[0] for r in rows if p.project_id and r[2] == p.project_id]
        by_unit = [r[0] for r in rows if r[2] is None and r[1] == p.owner_unit]
        out[p.id] = list(dict.fromkeys(by_project + by_unit))
    return out


async def _outs(
    session: AsyncSession, problems: Sequence[ProblemRow], now: datetime, running_only: bool = True
) -> list[s.ProblemOut]:
    if not problems:
        return []
    ids = [p.id for p in problems]
    projects = {
        r[0]: r[1]
        for r in (
            await session.execute(
                select(col(ProjectView.id), col(ProjectView.name)).where(
                    col(ProjectView.id).in_({p.project_id for p in problems if p.project_id})
                )
            )
        ).all()
    }
    units = {
        r[0]: r[1]
        for r in (
            await session.execute(
                select(col(UnitView.code), col(UnitView.name)).where(
                    col(UnitView.code).in_({p.owner_unit for p in problems})
                )
            )
        ).all()
    }
    stmt = select(ClockRow).where(col(ClockRow.problem_id).in_(ids))
    if running_only:
        stmt = stmt.where(col(ClockRow.state) == "running")
    clocks: dict[str, list[s.ClockOut]] = defaultdict(list)
    for c in (await session.execute(stmt.order_by(col(ClockRow.id)))).scalars():
        clocks[c.problem_id].append(
            s.ClockOut(
                kind=c.kind,
                level=c.level,
                started_at=c.started_at,
                due_date=c.due_date,
                due_at=c.due_at,
                state=c.state,
                reminded=list(c.reminded),
            )
        )
    leaders = await _leaders_by_problem(session, problems)
    return [
        s.ProblemOut(
            id=p.id,
            title=p.title,
            description=p.description,
            category=p.category,
            severity=p.severity,
            project_id=p.project_id,
            project_name=projects.get(p.project_id or ""),
            raised_unit=p.raised_unit,
            owner_unit=p.owner_unit,
            owner_unit_name=units.get(p.owner_unit),
            responsible_person=p.responsible_person,
            co_units=list(p.co_units),
            level=p.level,
            status=p.status,
            source=p.source,
            trigger=p.trigger,
            raised_by=p.raised_by,
            raised_at=p.raised_at,
            assigned_at=p.assigned_at,
            resolved_at=p.resolved_at,
            resolution=p.resolution,
            plan=p.plan,
            deadline=p.deadline,
            due_at=p.due_at,
            overdue=is_overdue(p, now),
            leader_ids=leaders[p.id],
            clocks=clocks[p.id],
        )
        for p in problems
    ]


async def problem_out(session: AsyncSession, p: ProblemRow, now: datetime) -> s.ProblemOut:
    return (await _outs(session, [p], now))[0]


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
    session: AsyncSession,
    principal: Principal,
    now: datetime,
    filters: ProblemFilter,
    page: int,
    page_size: int,
) -> s.Page[s.ProblemOut]:
    """Open problems by level, owner, leader and overdue state (the 督查室's lists)."""
    stmt = _problems(principal, now, filters)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    paged = _in_list_order(stmt).offset((page - 1) * page_size).limit(page_size)
    rows = (await session.execute(paged)).scalars().all()
    return s.Page(items=await _outs(session, rows, now), total=int(total), page=page, page_size=page_size)


async def all_problems(
    *, session: AsyncSession, principal: Principal, now: datetime, filters: ProblemFilter
) -> list[s.ProblemOut]:
    """Every problem of the list `filters` selects, in the list's order (for the XLSX export)."""
    rows = (await session.execute(_in_list_order(_problems(principal, now, filters)))).scalars().all()
    return await _outs(session, rows, now)


async def leader_names(session: AsyncSession, ids: Iterable[str]) -> dict[str, str]:
    rows = await session.execute(
        select(col(LeaderView.id), col(LeaderView.name)).where(col(LeaderView.id).in_(set(ids)))
    )
    return {r[0]: r[1] for r in rows.all()}


async def get_problem(
    *, session: AsyncSession, principal: Principal, problem_id: str, now: datetime
) -> s.ProblemDetail:
    p = await session.get(ProblemRow, problem_id)
    if p is None:
        raise not_found("problem", problem_id)
    out = (await _outs(session, [p], now, running_only=False))[0]
    if principal.role is Role.reporter and principal.unit not in (p.owner_unit, p.raised_unit, *p.co_units):
        raise forbidden(f"problem {p.id} is not one of unit {principal.unit}'s problems")
    notices = (
        (
            await session.execute(
                select(NoticeRow).where(col(NoticeRow.problem_id) == p.id).order_by(col(NoticeRow.id))
            )
        )
        .scalars()
        .all()
    )
    return s.ProblemDetail(
        **out.model_dump(), history=await history(session, p.id), notices=[notice_out(n) for n in notices]
    )


def notice_out(n: NoticeRow) -> s.NoticeOut:
    return s.NoticeOut(
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
    *, session: AsyncSession, year: int | None, problem_id: str | None, page: int, page_size: int
) -> s.Page[s.NoticeOut]:
    stmt = _notices(year, problem_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    paged = stmt.order_by(col(NoticeRow.year), col(NoticeRow.seq)).offset((page - 1) * page_size)
    rows = (await session.execute(paged.limit(page_size))).scalars().all()
    return s.Page(items=[notice_out(n) for n in rows], total=int(total), page=page, page_size=page_size)


@dataclass(frozen=True)
class NoticeLine:
    """A 督办函 with the title of its problem and the name of the unit it is addressed to."""

    notice: s.NoticeOut
    problem_title: str
    owner_unit_name: str | None


async def all_notices(*, session: AsyncSession, year: int | None, problem_id: str | None) -> list[NoticeLine]:
    """Every 督办函 of the list's filters, in number order (for the XLSX export)."""
    stmt = (
        _notices(year, problem_id)
        .add_columns(col(ProblemRow.title), col(UnitView.name))
        .join(ProblemRow, col(ProblemRow.id) == col(NoticeRow.problem_id))
        .outerjoin(UnitView, col(UnitView.code) == col(NoticeRow.owner_unit))
        .order_by(col(NoticeRow.year), col(NoticeRow.seq))
    )
    rows = (await session.execute(stmt)).all()
    return [NoticeLine(notice_out(n), title, unit_name) for n, title, unit_name in rows]
