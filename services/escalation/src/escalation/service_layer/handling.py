"""办理 (R7): the owning unit acknowledges (部署), reports progress, and a major problem files its plan."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.auth import Principal, Role
from diaodu_platform.errors import forbidden, unprocessable
from escalation.adapters.tables import ProblemRow
from escalation.domain.model import Action, Severity
from escalation.domain.sla import ClockKind, plan_clock
from escalation.events import ProblemAcknowledged, ProblemPlanFiled, ProblemProgressed
from escalation.service_layer.clocks import SlaPolicy, start_clocks, stop_clocks
from escalation.service_layer.commands import AcknowledgeProblem, FilePlan, ReportProgress
from escalation.service_layer.read_models import ProblemOut
from escalation.service_layer.transitions import event_base, load, step
from escalation.service_layer.unit_of_work import EscalationUnitOfWork


def _owner_or_admin(principal: Principal, p: ProblemRow, what: str) -> None:
    if principal.role is Role.admin or (principal.role is Role.reporter and principal.unit == p.owner_unit):
        return
    raise forbidden(f"only the owning unit ({p.owner_unit}) or an admin may {what} this problem")


async def acknowledge(
    *, uow: EscalationUnitOfWork, cmd: AcknowledgeProblem, principal: Principal, now: datetime
) -> ProblemOut:
    """部署: the owning unit takes the problem on (the '1' of 13710: the same working day, R7)."""
    p = await load(uow, cmd.problem_id)
    _owner_or_admin(principal, p, "acknowledge")
    step(uow, p, Action.ACKNOWLEDGE, actor=principal.sub, now=now, note=cmd.note)
    await stop_clocks(uow, p, [ClockKind.ACKNOWLEDGE], state="met", now=now)
    uow.emit(ProblemAcknowledged(**event_base(p, now), acknowledged_by=principal.sub, note=cmd.note))
    return await uow.views.problem(p, now)


async def _may_report(uow: EscalationUnitOfWork, principal: Principal, p: ProblemRow) -> None:
    if principal.role is Role.admin:
        return
    if principal.role is Role.reporter and principal.unit in (p.owner_unit, *p.co_units):
        return
    if principal.role is Role.leader and principal.sub in await uow.directory.leaders_of(
        project_id=p.project_id, unit_code=p.owner_unit
    ):
        return
    raise forbidden(
        f"only the owning unit ({p.owner_unit}), its co-operating units, its leaders or an admin "
        "may report progress on this problem"
    )


async def progress(
    *, uow: EscalationUnitOfWork, cmd: ReportProgress, principal: Principal, now: datetime
) -> ProblemOut:
    """办理进展 (the '3' of 13710, R7)."""
    p = await load(uow, cmd.problem_id)
    await _may_report(uow, principal, p)
    step(uow, p, Action.PROGRESS, actor=principal.sub, now=now, note=cmd.note)
    await stop_clocks(uow, p, [ClockKind.PROGRESS], state="met", now=now)
    uow.emit(ProblemProgressed(**event_base(p, now), reported_by=principal.sub, note=cmd.note))
    return await uow.views.problem(p, now)


async def file_plan(
    *, uow: EscalationUnitOfWork, cmd: FilePlan, principal: Principal, now: datetime, sla: SlaPolicy
) -> ProblemOut:
    """A major problem not resolvable in a month files a timeline and plan; its resolve clock follows (R7)."""
    p = await load(uow, cmd.problem_id)
    _owner_or_admin(principal, p, "file a plan for")
    if p.severity != Severity.MAJOR:
        raise unprocessable(
            "plan",
            "only a major (重大/复杂) problem files a timeline and plan; an ordinary "
            "problem is resolved within its working-day clock",
        )
    if cmd.deadline <= now.date():
        raise unprocessable("deadline", f"the plan's date must be after today ({now.date()})")
    step(
        uow,
        p,
        Action.FILE_PLAN,
        actor=principal.sub,
        now=now,
        note=cmd.plan,
        data={"deadline": cmd.deadline.isoformat()},
    )
    p.plan = cmd.plan
    await stop_clocks(uow, p, [ClockKind.PROGRESS], state="met", now=now)
    await stop_clocks(uow, p, [ClockKind.RESOLVE], state="cancelled", now=now)
    start_clocks(
        uow,
        p,
        [plan_clock(ClockKind.RESOLVE, now, cmd.deadline, sla.is_workday, sla.rules.reminder_percents)],
    )
    uow.emit(
        ProblemPlanFiled(**event_base(p, now), filed_by=principal.sub, plan=cmd.plan, deadline=cmd.deadline)
    )
    return await uow.views.problem(p, now)
