"""Problem commands, the start of the loop (R7): raise (发现) and assign (交办).

Each changes state and emits its events in the caller's unit of work; 办理 is in handling.py and
closing the loop in closing.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from diaodu_platform.auth import Principal, Role, forbid_other_unit
from diaodu_platform.errors import forbidden, unprocessable
from escalation.adapters.tables import ProblemRow, UnitView
from escalation.domain.model import Action, Level, Severity, Source, Status
from escalation.domain.sla import ClockKind, assignment_clocks, due_date
from escalation.events import ProblemAssigned, ProblemRaised
from escalation.service_layer.clocks import SlaPolicy, start_clocks
from escalation.service_layer.commands import AssignProblem, RaiseProblem
from escalation.service_layer.read_models import ProblemOut
from escalation.service_layer.transitions import event_base, load, record, transition
from escalation.service_layer.unit_of_work import EscalationUnitOfWork


async def _unit(uow: EscalationUnitOfWork, code: str, field: str) -> UnitView:
    unit = await uow.directory.unit(code)
    if unit is None:
        raise unprocessable(
            field,
            f"unit {code!r} is not registered in the registry (check the code, or wait "
            "until the registry's unit_registered event has reached this service)",
        )
    return unit


async def _co_units(uow: EscalationUnitOfWork, codes: Sequence[str], owner: str) -> list[str]:
    for i, code in enumerate(codes):
        await _unit(uow, code, f"co_units.{i}")
        if code == owner:
            raise unprocessable(
                f"co_units.{i}", f"{code} is the owning unit; list only the co-operating units"
            )
    return list(dict.fromkeys(codes))


async def _raising_unit(uow: EscalationUnitOfWork, principal: Principal, cmd: RaiseProblem) -> str:
    """The unit raising the problem: a reporter only for its own unit and its projects (SPEC §6)."""
    project = None
    if cmd.project_id:
        project = await uow.directory.project(cmd.project_id)
        if project is None:
            raise unprocessable("project_id", f"project {cmd.project_id!r} is not registered in the registry")
    unit_code = cmd.unit_code or (principal.unit if principal.role is Role.reporter else None)
    unit_code = unit_code or (project.unit_code if project else None)
    if unit_code is None:
        raise unprocessable("unit_code", "give unit_code (the unit raising the problem) or project_id")
    if principal.role is Role.reporter:
        forbid_other_unit(principal, unit_code)
    if project is not None and principal.role is Role.reporter and project.unit_code != unit_code:
        raise forbidden(f"project {project.id} belongs to unit {project.unit_code}, not {unit_code}")
    await _unit(uow, unit_code, "unit_code")
    return unit_code


async def raise_problem(
    *, uow: EscalationUnitOfWork, cmd: RaiseProblem, principal: Principal, now: datetime
) -> ProblemOut:
    """发现: a reporter raises a problem for its own unit; the office for any unit (R7)."""
    unit_code = await _raising_unit(uow, principal, cmd)
    co_units = await _co_units(uow, cmd.co_units, unit_code)
    p = ProblemRow(
        id=str(uuid.uuid4()),
        title=cmd.title,
        description=cmd.description,
        category=cmd.category,
        severity=cmd.severity,
        project_id=cmd.project_id,
        raised_unit=unit_code,
        owner_unit=unit_code,
        responsible_person=cmd.responsible_person,
        co_units=co_units,
        level=Level.UNIT,
        status=Status.RAISED,
        source=Source.UNIT,
        raised_by=principal.sub,
        raised_at=now,
        updated_at=now,
    )
    await uow.problems.add(p)
    record(
        uow,
        p,
        at=now,
        actor=principal.sub,
        action=Action.RAISE,
        from_status=None,
        from_level=None,
        note=cmd.title,
    )
    uow.emit(
        ProblemRaised(
            **event_base(p, now),
            title=p.title,
            description=p.description,
            source=Source.UNIT,
            trigger=None,
            raised_by=principal.sub,
            raised_unit=unit_code,
            responsible_person=p.responsible_person,
            co_units=co_units,
        )
    )
    return await uow.views.problem(p, now)


async def assign(
    *, uow: EscalationUnitOfWork, cmd: AssignProblem, principal: Principal, now: datetime, sla: SlaPolicy
) -> ProblemOut:
    """交办: name the owner and start the 1/3/7 (or 1 month) clocks on the working-day calendar (R7)."""
    p = await load(uow, cmd.problem_id)
    to = transition(p, Action.ASSIGN)
    owner = cmd.owner_unit or p.owner_unit
    await _unit(uow, owner, "owner_unit")
    co_units = await _co_units(uow, cmd.co_units if cmd.co_units is not None else p.co_units, owner)
    severity = Severity(p.severity)
    if cmd.deadline is not None:
        latest = due_date(ClockKind.RESOLVE, now.date(), severity, sla.is_workday, sla.rules)
        if not now.date() <= cmd.deadline <= latest:
            raise unprocessable(
                "deadline",
                f"the deadline must be between today ({now.date()}) and the 13710 "
                f"deadline for a {severity} problem ({latest})",
                today=now.date().isoformat(),
                latest=latest.isoformat(),
            )
    assign_problem(
        uow,
        p,
        to=to,
        actor=principal.sub,
        owner=owner,
        co_units=co_units,
        responsible_person=cmd.responsible_person or p.responsible_person,
        deadline=cmd.deadline,
        now=now,
        sla=sla,
    )
    return await uow.views.problem(p, now)


def assign_problem(
    uow: EscalationUnitOfWork,
    p: ProblemRow,
    *,
    to: Status,
    actor: str,
    owner: str,
    co_units: list[str],
    responsible_person: str | None,
    deadline: date | None,
    now: datetime,
    sla: SlaPolicy,
) -> None:
    """Apply 交办 to a locked problem (also when the system raises a problem by itself) (R7)."""
    from_status, from_level = p.status, p.level
    p.owner_unit, p.co_units, p.responsible_person = owner, co_units, responsible_person
    p.status, p.assigned_at, p.updated_at = to, now, now
    plans = assignment_clocks(now, Severity(p.severity), sla.is_workday, sla.rules, resolve_by=deadline)
    start_clocks(uow, p, plans)
    due = {plan.kind: plan.due_at for plan in plans}
    record(
        uow,
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
    uow.emit(
        ProblemAssigned(
            **event_base(p, now),
            assigned_by=actor,
            responsible_person=responsible_person,
            co_units=co_units,
            deadline=p.deadline,
            acknowledge_due_at=due[ClockKind.ACKNOWLEDGE],
            progress_due_at=due[ClockKind.PROGRESS],
            resolve_due_at=due[ClockKind.RESOLVE],
        )
    )
