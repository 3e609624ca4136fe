"""Closing the loop (R8): 销号 by whoever holds the problem's level, and reopening."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.auth import Principal, Role
from diaodu_platform.errors import forbidden
from escalation.adapters.tables import ProblemRow
from escalation.domain.model import Action, Level, Severity
from escalation.domain.sla import ClockKind, assignment_clocks
from escalation.events import ProblemReopened, ProblemResolved
from escalation.service_layer.clocks import SlaPolicy, start_clocks, stop_clocks
from escalation.service_layer.commands import ReopenProblem, ResolveProblem
from escalation.service_layer.read_models import ProblemOut
from escalation.service_layer.transitions import event_base, load, step
from escalation.service_layer.unit_of_work import EscalationUnitOfWork


async def _may_resolve(uow: EscalationUnitOfWork, principal: Principal, p: ProblemRow) -> None:
    """Leaders resolve at their level (R8): the unit at 1, its leaders at 1–2, the county meeting at 3."""
    if principal.role is Role.admin:
        return
    if principal.role is Role.reporter and principal.unit == p.owner_unit and p.level == Level.UNIT:
        return
    if (
        principal.role is Role.leader
        and p.level <= Level.LEADER
        and principal.sub in await uow.directory.leaders_of(project_id=p.project_id, unit_code=p.owner_unit)
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
    *, uow: EscalationUnitOfWork, cmd: ResolveProblem, principal: Principal, now: datetime
) -> ProblemOut:
    """销号, only with a resolution note (R8)."""
    p = await load(uow, cmd.problem_id)
    await _may_resolve(uow, principal, p)
    step(uow, p, Action.RESOLVE, actor=principal.sub, now=now, note=cmd.resolution)
    p.resolved_at, p.resolution = now, cmd.resolution
    await stop_clocks(uow, p, [ClockKind.RESOLVE], state="met", now=now)
    await stop_clocks(uow, p, [ClockKind.ACKNOWLEDGE, ClockKind.PROGRESS], state="cancelled", now=now)
    await uow.ladder.close_meeting_items(p.id, now)
    uow.emit(ProblemResolved(**event_base(p, now), resolved_by=principal.sub, resolution=cmd.resolution))
    return await uow.views.problem(p, now)


def _may_reopen(principal: Principal, p: ProblemRow) -> None:
    if not (
        principal.role in (Role.admin, Role.supervisor)
        or (principal.role is Role.reporter and principal.unit in (p.owner_unit, p.raised_unit))
    ):
        raise forbidden("only the 督查室, an admin, or the unit that raised or owns it may reopen a problem")


async def reopen(
    *, uow: EscalationUnitOfWork, cmd: ReopenProblem, principal: Principal, now: datetime, sla: SlaPolicy
) -> ProblemOut:
    """Reopen a closed problem at its level; its clocks start again (R8)."""
    p = await load(uow, cmd.problem_id)
    _may_reopen(principal, p)
    step(uow, p, Action.REOPEN, actor=principal.sub, now=now, note=cmd.reason)
    p.resolved_at, p.resolution = None, None
    start_clocks(uow, p, assignment_clocks(now, Severity(p.severity), sla.is_workday, sla.rules))
    assert p.deadline is not None
    uow.emit(
        ProblemReopened(
            **event_base(p, now), reopened_by=principal.sub, reason=cmd.reason, deadline=p.deadline
        )
    )
    return await uow.views.problem(p, now)
