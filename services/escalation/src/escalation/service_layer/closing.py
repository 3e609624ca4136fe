"""Closing the loop (R8): 销号 by whoever holds the problem's level, reopening, and the 督查室's
督办函 by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from diaodu_platform.auth import Principal, Role
from escalation.adapters.tables import MeetingItemRow, ProblemRow
from escalation.domain.model import Action, Level, Severity
from escalation.domain.sla import ClockKind, assignment_clocks
from escalation.entrypoints import schemas as s
from escalation.events import NoticeIssued, ProblemReopened, ProblemResolved
from escalation.service_layer.common import (
    Deps,
    base,
    emit,
    issue_notice,
    leaders_of,
    record,
    start_clocks,
    stop_clocks,
    transition,
    unprocessable,
)
from escalation.service_layer.problems import forbidden, load


async def _may_resolve(session: AsyncSession, principal: Principal, p: ProblemRow) -> None:
    """Leaders resolve at their level (R8): the unit at 1, its leaders at 1–2, the county meeting at 3."""
    if principal.role is Role.admin:
        return
    if principal.role is Role.reporter and principal.unit == p.owner_unit and p.level == Level.UNIT:
        return
    if (
        principal.role is Role.leader
        and p.level <= Level.LEADER
        and principal.sub in await leaders_of(session, project_id=p.project_id, unit_code=p.owner_unit)
    ):
        return
    if principal.role is Role.supervisor and p.level == Level.COUNTY_MEETING:
        return  # the 督查室 records the county meeting's decision
    who = {
        1: "the owning unit, its leaders or an admin",
        2: "its 包联/分管 leaders or an admin",
        3: "the 督查室 (recording the county meeting's decision) or an admin",
    }[p.level]
    raise forbidden(f"at level {p.level} this problem is closed by {who}")


async def resolve(
    *,
    session: AsyncSession,
    deps: Deps,
    principal: Principal,
    problem_id: str,
    data: s.ResolveIn,
    now: datetime,
) -> ProblemRow:
    """销号, only with a resolution note (R8)."""
    p = await load(session, problem_id)
    await _may_resolve(session, principal, p)
    from_status, p.status, p.updated_at = p.status, transition(p, Action.RESOLVE), now
    p.resolved_at, p.resolution = now, data.resolution
    await stop_clocks(session, p, [ClockKind.RESOLVE], state="met", now=now)
    await stop_clocks(session, p, [ClockKind.ACKNOWLEDGE, ClockKind.PROGRESS], state="cancelled", now=now)
    await session.execute(
        update(MeetingItemRow)
        .where(
            col(MeetingItemRow.problem_id) == p.id,
            col(MeetingItemRow.closed_at).is_(None),
        )
        .values(closed_at=now)
    )
    record(
        session,
        p,
        at=now,
        actor=principal.sub,
        action=Action.RESOLVE,
        from_status=from_status,
        from_level=p.level,
        note=data.resolution,
    )
    await emit(
        session, deps, ProblemResolved(**base(p, now), resolved_by=principal.sub, resolution=data.resolution)
    )
    return p


async def reopen(
    *,
    session: AsyncSession,
    deps: Deps,
    principal: Principal,
    problem_id: str,
    data: s.ReopenIn,
    now: datetime,
) -> ProblemRow:
    """Reopen a closed problem at its level; its clocks start again."""
    p = await load(session, problem_id)
    if not (
        principal.role in (Role.admin, Role.supervisor)
        or (principal.role is Role.reporter and principal.unit in (p.owner_unit, p.raised_unit))
    ):
        raise forbidden("only the 督查室, an admin, or the unit that raised or owns it may reopen a problem")
    from_status, p.status, p.updated_at = p.status, transition(p, Action.REOPEN), now
    p.resolved_at, p.resolution = None, None
    start_clocks(session, p, assignment_clocks(now, Severity(p.severity), deps.is_workday, deps.rules))
    record(
        session,
        p,
        at=now,
        actor=principal.sub,
        action=Action.REOPEN,
        from_status=from_status,
        from_level=p.level,
        note=data.reason,
    )
    assert p.deadline is not None
    await emit(
        session,
        deps,
        ProblemReopened(**base(p, now), reopened_by=principal.sub, reason=data.reason, deadline=p.deadline),
    )
    return p


async def notice_by_hand(
    *,
    session: AsyncSession,
    deps: Deps,
    principal: Principal,
    problem_id: str,
    data: s.NoticeIn,
    now: datetime,
) -> NoticeIssued:
    """The 督查室 issues a 督办函 by hand; the problem stays at its level."""
    p = await load(session, problem_id)
    deadline = data.deadline or p.deadline
    if deadline is None:
        raise unprocessable("deadline", "this problem is not assigned yet and has no deadline; give one")
    p.updated_at = now
    return await issue_notice(
        session, deps, p, now=now, actor=principal.sub, reason="manual", deadline=deadline, note=data.note
    )
