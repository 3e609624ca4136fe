"""Problem commands (R7): raise (发现), assign (交办), acknowledge, progress, a major problem's plan.
Each changes state and stages its events in one transaction; closing the loop is in closing.py."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from diaodu_platform.auth import Principal, Role, forbid_other_unit
from diaodu_platform.errors import Problem, not_found
from escalation.adapters.tables import ProblemRow, ProjectView, UnitView
from escalation.domain.model import Action, Level, Severity, Source, Status
from escalation.domain.sla import ClockKind, assignment_clocks, due_date, plan_clock
from escalation.entrypoints import schemas as s
from escalation.events import (
    ProblemAcknowledged,
    ProblemAssigned,
    ProblemPlanFiled,
    ProblemProgressed,
    ProblemRaised,
)
from escalation.service_layer.common import (
    Deps,
    base,
    emit,
    leaders_of,
    record,
    start_clocks,
    stop_clocks,
    transition,
    unprocessable,
)


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, type_="/problems/forbidden")


async def _unit(session: AsyncSession, code: str, field: str) -> UnitView:
    unit = await session.get(UnitView, code)
    if unit is None:
        raise unprocessable(
            field,
            f"unit {code!r} is not registered in the registry (check the code, or wait "
            "until the registry's unit_registered event has reached this service)",
        )
    return unit


async def _co_units(session: AsyncSession, codes: list[str], owner: str) -> list[str]:
    for i, code in enumerate(codes):
        await _unit(session, code, f"co_units.{i}")
        if code == owner:
            raise unprocessable(
                f"co_units.{i}", f"{code} is the owning unit; list only the co-operating units"
            )
    return list(dict.fromkeys(codes))


async def load(session: AsyncSession, problem_id: str) -> ProblemRow:
    """The problem, locked for this transaction (commands and the timer engine serialise on it)."""
    p = await session.get(ProblemRow, problem_id, with_for_update=True)
    if p is None:
        raise not_found("problem", problem_id)
    return p


async def raise_problem(
    *, session: AsyncSession, deps: Deps, principal: Principal, data: s.ProblemIn, now: datetime
) -> ProblemRow:
    """发现: a reporter raises a problem for its own unit; the office for any unit."""
    project = None
    if data.project_id:
        project = await session.get(ProjectView, data.project_id)
        if project is None:
            raise unprocessable(
                "project_id", f"project {data.project_id!r} is not registered in the registry"
            )
    unit_code = data.unit_code or (principal.unit if principal.role is Role.reporter else None)
    unit_code = unit_code or (project.unit_code if project else None)
    if unit_code is None:
        raise unprocessable("unit_code", "give unit_code (the unit raising the problem) or project_id")
    if principal.role is Role.reporter:
        forbid_other_unit(principal, unit_code)
    if project is not None and principal.role is Role.reporter and project.unit_code != unit_code:
        raise forbidden(f"project {project.id} belongs to unit {project.unit_code}, not {unit_code}")
    await _unit(session, unit_code, "unit_code")
    co_units = await _co_units(session, data.co_units, unit_code)
    p = ProblemRow(
        id=str(uuid.uuid4()),
        title=data.title,
        description=data.description,
        category=data.category,
        severity=data.severity,
        project_id=data.project_id,
        raised_unit=unit_code,
        owner_unit=unit_code,
        responsible_person=data.responsible_person,
        co_units=co_units,
        level=Level.UNIT,
        status=Status.RAISED,
        source=Source.UNIT,
        raised_by=principal.sub,
        raised_at=now,
        updated_at=now,
    )
    session.add(p)
    await session.flush()  # the problem row first: history, clocks and notices refer to it
    record(
        session,
        p,
        at=now,
        actor=principal.sub,
        action=Action.RAISE,
        from_status=None,
        from_level=None,
        note=data.title,
    )
    await emit(
        session,
        deps,
        ProblemRaised(
            **base(p, now),
            title=p.title,
            description=p.description,
            source=Source.UNIT,
            trigger=None,
            raised_by=principal.sub,
            raised_unit=unit_code,
            responsible_person=p.responsible_person,
            co_units=co_units,
        ),
    )
    return p


async def assign(
    *,
    session: AsyncSession,
    deps: Deps,
    principal: Principal,
    problem_id: str,
    data: s.AssignIn,
    now: datetime,
) -> ProblemRow:
    """交办: name the owner and start the 1/3/7 (or 1 month) clocks on the working-day calendar."""
    p = await load(session, problem_id)
    to = transition(p, Action.ASSIGN)
    owner = data.owner_unit or p.owner_unit
    await _unit(session, owner, "owner_unit")
    co_units = await _co_units(session, data.co_units if data.co_units is not None else p.co_units, owner)
    severity = Severity(p.severity)
    if data.deadline is not None:
        latest = due_date(ClockKind.RESOLVE, now.date(), severity, deps.is_workday, deps.rules)
        if not now.date() <= data.deadline <= latest:
            raise unprocessable(
                "deadline",
                f"the deadline must be between today ({now.date()}) and the 13710 "
                f"deadline for a {severity} problem ({latest})",
                today=now.date().isoformat(),
                latest=latest.isoformat(),
            )
    await assign_row(
        session=session,
        deps=deps,
        p=p,
        to=to,
        actor=principal.sub,
        owner=owner,
        co_units=co_units,
        responsible_person=data.responsible_person or p.responsible_person,
        deadline=data.deadline,
        now=now,
    )
    return p


async def assign_row(
    *,
    session: AsyncSession,
    deps: Deps,
    p: ProblemRow,
    to: Status,
    actor: str,
    owner: str,
    co_units: list[str],
    responsible_person: str | None,
    deadline: date | None,
    now: datetime,
) -> None:
    """Apply 交办 to a locked problem row (also used when the system raises a problem)."""
    from_status, from_level = p.status, p.level
    p.owner_unit, p.co_units, p.responsible_person = owner, co_units, responsible_person
    p.status, p.assigned_at, p.updated_at = to, now, now
    plans = assignment_clocks(now, Severity(p.severity), deps.is_workday, deps.rules, resolve_by=deadline)
    start_clocks(session, p, plans)
    due = {plan.kind: plan.due_at for plan in plans}
    record(
        session,
        p,
        at=now,
        actor=actor,
        action=Action.ASSIGN,
        from_status=from_status,
        from_level=from_level,
        data={
            "owner_unit": owner,
            "co_units": co_units,
            "responsible_person": responsible_person,
            "deadline": p.deadline.isoformat() if p.deadline else None,
        },
    )
    assert p.deadline is not None
    await emit(
        session,
        deps,
        ProblemAssigned(
            **base(p, now),
            assigned_by=actor,
            responsible_person=responsible_person,
            co_units=co_units,
            deadline=p.deadline,
            acknowledge_due_at=due[ClockKind.ACKNOWLEDGE],
            progress_due_at=due[ClockKind.PROGRESS],
            resolve_due_at=due[ClockKind.RESOLVE],
        ),
    )


def _owner_or_admin(principal: Principal, p: ProblemRow, what: str) -> None:
    if principal.role is Role.admin or (principal.role is Role.reporter and principal.unit == p.owner_unit):
        return
    raise forbidden(f"only the owning unit ({p.owner_unit}) or an admin may {what} this problem")


async def acknowledge(
    *,
    session: AsyncSession,
    deps: Deps,
    principal: Principal,
    problem_id: str,
    data: s.AcknowledgeIn,
    now: datetime,
) -> ProblemRow:
    """部署: the owning unit takes the problem on (the '1' of 13710: the same working day)."""
    p = await load(session, problem_id)
    _owner_or_admin(principal, p, "acknowledge")
    from_status, p.status, p.updated_at = p.status, transition(p, Action.ACKNOWLEDGE), now
    await stop_clocks(session, p, [ClockKind.ACKNOWLEDGE], state="met", now=now)
    record(
        session,
        p,
        at=now,
        actor=principal.sub,
        action=Action.ACKNOWLEDGE,
        from_status=from_status,
        from_level=p.level,
        note=data.note,
    )
    await emit(
        session, deps, ProblemAcknowledged(**base(p, now), acknowledged_by=principal.sub, note=data.note)
    )
    return p


async def _may_report(session: AsyncSession, principal: Principal, p: ProblemRow) -> None:
    if principal.role is Role.admin:
        return
    if principal.role is Role.reporter and principal.unit in (p.owner_unit, *p.co_units):
        return
    if principal.role is Role.leader and principal.sub in await leaders_of(
        session, project_id=p.project_id, unit_code=p.owner_unit
    ):
        return
    raise forbidden(
        f"only the owning unit ({p.owner_unit}), its co-operating units, its leaders or an admin "
        "may report progress on this problem"
    )


async def progress(
    *, session: AsyncSession, deps: Deps, principal: Principal, problem_id: str, data: s.NoteIn, now: datetime
) -> ProblemRow:
    """办理进展 (the '3' of 13710)."""
    p = await load(session, problem_id)
    await _may_report(session, principal, p)
    from_status, p.status, p.updated_at = p.status, transition(p, Action.PROGRESS), now
    await stop_clocks(session, p, [ClockKind.PROGRESS], state="met", now=now)
    record(
        session,
        p,
        at=now,
        actor=principal.sub,
        action=Action.PROGRESS,
        from_status=from_status,
        from_level=p.level,
        note=data.note,
    )
    await emit(session, deps, ProblemProgressed(**base(p, now), reported_by=principal.sub, note=data.note))
    return p


async def file_plan(
    *, session: AsyncSession, deps: Deps, principal: Principal, problem_id: str, data: s.PlanIn, now: datetime
) -> ProblemRow:
    """A major problem not resolvable in a month files a timeline and plan; the resolve clock follows it."""
    p = await load(session, problem_id)
    _owner_or_admin(principal, p, "file a plan for")
    if p.severity != Severity.MAJOR:
        raise unprocessable(
            "plan",
            "only a major (重大/复杂) problem files a timeline and plan; an ordinary "
            "problem is resolved within its working-day clock",
        )
    if data.deadline <= now.date():
        raise unprocessable("deadline", f"the plan's date must be after today ({now.date()})")
    from_status, p.status, p.updated_at, p.plan = p.status, transition(p, Action.FILE_PLAN), now, data.plan
    await stop_clocks(session, p, [ClockKind.PROGRESS], state="met", now=now)
    await stop_clocks(session, p, [ClockKind.RESOLVE], state="cancelled", now=now)
    start_clocks(
        session,
        p,
        [plan_clock(ClockKind.RESOLVE, now, data.deadline, deps.is_workday, deps.rules.reminder_percents)],
    )
    record(
        session,
        p,
        at=now,
        actor=principal.sub,
        action=Action.FILE_PLAN,
        from_status=from_status,
        from_level=p.level,
        note=data.plan,
        data={"deadline": data.deadline.isoformat()},
    )
    await emit(
        session,
        deps,
        ProblemPlanFiled(**base(p, now), filed_by=principal.sub, plan=data.plan, deadline=data.deadline),
    )
    return p
