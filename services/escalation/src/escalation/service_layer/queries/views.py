"""Problems as the API shows them: names, running clocks, leaders and whether they are overdue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from escalation.adapters.tables import ClockRow, LeaderAssignmentView, ProblemRow, ProjectView, UnitView
from escalation.domain.model import Status
from escalation.service_layer.read_models import ClockOut, ProblemOut

LA = LeaderAssignmentView


def is_overdue(p: ProblemRow, now: datetime) -> bool:
    return p.status != Status.RESOLVED and p.due_at is not None and p.due_at <= now


def leader_filter(leader_id: str) -> Any:
    """Problems of the leader's projects, and of the units the leader holds (R8 level 2)."""
    project_ids = select(col(LA.project_id)).where(
        col(LA.leader_id) == leader_id, col(LA.project_id).is_not(None)
    )
    unit_codes = select(col(LA.unit_code)).where(col(LA.leader_id) == leader_id, col(LA.project_id).is_(None))
    return or_(col(ProblemRow.project_id).in_(project_ids), col(ProblemRow.owner_unit).in_(unit_codes))


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


async def project_names(session: AsyncSession, problems: Sequence[ProblemRow]) -> dict[str, str]:
    ids = {p.project_id for p in problems if p.project_id}
    rows = await session.execute(
        select(col(ProjectView.id), col(ProjectView.name)).where(col(ProjectView.id).in_(ids))
    )
    return {r[0]: r[1] for r in rows.all()}


async def _unit_names(session: AsyncSession, problems: Sequence[ProblemRow]) -> dict[str, str]:
    codes = {p.owner_unit for p in problems}
    rows = await session.execute(
        select(col(UnitView.code), col(UnitView.name)).where(col(UnitView.code).in_(codes))
    )
    return {r[0]: r[1] for r in rows.all()}


async def _clocks(session: AsyncSession, ids: list[str], running_only: bool) -> dict[str, list[ClockOut]]:
    stmt = select(ClockRow).where(col(ClockRow.problem_id).in_(ids))
    if running_only:
        stmt = stmt.where(col(ClockRow.state) == "running")
    clocks: dict[str, list[ClockOut]] = defaultdict(list)
    for c in (await session.execute(stmt.order_by(col(ClockRow.id)))).scalars():
        clocks[c.problem_id].append(clock_out(c))
    return clocks


def clock_out(c: ClockRow) -> ClockOut:
    return ClockOut(
        kind=c.kind,
        level=c.level,
        started_at=c.started_at,
        due_date=c.due_date,
        due_at=c.due_at,
        state=c.state,
        reminded=list(c.reminded),
    )


def problem_out(
    p: ProblemRow,
    *,
    now: datetime,
    project_name: str | None,
    owner_unit_name: str | None,
    leader_ids: list[str],
    clocks: list[ClockOut],
) -> ProblemOut:
    """One problem as the API shows it, from its row and what the read side found around it."""
    return ProblemOut(
        id=p.id,
        title=p.title,
        description=p.description,
        category=p.category,
        severity=p.severity,
        project_id=p.project_id,
        project_name=project_name,
        raised_unit=p.raised_unit,
        owner_unit=p.owner_unit,
        owner_unit_name=owner_unit_name,
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
        leader_ids=leader_ids,
        clocks=clocks,
    )


async def problem_outs(
    session: AsyncSession, problems: Sequence[ProblemRow], now: datetime, running_only: bool = True
) -> list[ProblemOut]:
    """The problems with their project and unit names, clocks (running ones only, by default) and leaders."""
    if not problems:
        return []
    projects = await project_names(session, problems)
    units = await _unit_names(session, problems)
    clocks = await _clocks(session, [p.id for p in problems], running_only)
    leaders = await _leaders_by_problem(session, problems)
    return [
        problem_out(
            p,
            now=now,
            project_name=projects.get(p.project_id or ""),
            owner_unit_name=units.get(p.owner_unit),
            leader_ids=leaders[p.id],
            clocks=clocks[p.id],
        )
        for p in problems
    ]


class ProblemViews:
    """The answer of a command: the problem as it stands in the command's own transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def problem(self, p: ProblemRow, now: datetime) -> ProblemOut:
        return (await problem_outs(self.session, [p], now))[0]
