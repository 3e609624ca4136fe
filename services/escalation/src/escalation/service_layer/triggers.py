"""The system raises problems by itself (R3, R5 → R7): a project red for a second month, or with two
consecutive overdue reports. It finds red lights whose second month has closed with no change, then
raises and assigns (交办) one problem per trigger episode, exactly once. The job is in jobs.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from escalation.adapters.tables import ProblemRow, SystemTrigger
from escalation.domain.model import Action, Category, Level, Severity, Source, Status, Trigger
from escalation.domain.triggers import month_add, red_light_key, red_second_month_closed
from escalation.events import ProblemRaised
from escalation.service_layer.clocks import SlaPolicy
from escalation.service_layer.problems import assign_problem
from escalation.service_layer.transitions import event_base, record
from escalation.service_layer.unit_of_work import EscalationUnitOfWork

SYSTEM = "system"


async def detect_red_months(*, uow: EscalationUnitOfWork, now: datetime, grace_days: int) -> None:
    """Time path: month M+1's reporting closed (plus grace) and the light stayed red since M (R3)."""
    latest = month_add(f"{now.year:04d}-{now.month:02d}", -2)
    for light in await uow.triggers.red_investment_lights(red_since_up_to=latest):
        assert light.red_since is not None
        if red_second_month_closed(light.red_since, now.date(), grace_days):
            await uow.triggers.add_if_new(
                key=red_light_key(light.project_id, light.red_since),
                trigger=Trigger.RED_LIGHT.value,
                project_id=light.project_id,
                unit_code=light.unit_code,
                detected_at=now,
                detail={
                    "red_since": light.red_since,
                    "month": month_add(light.red_since, 1),
                    "seen": "clock",
                },
            )


def _title(trigger: Trigger, project: str, detail: dict[str, Any]) -> str:
    if trigger is Trigger.RED_LIGHT:
        return f"{project}：投资进度连续两个月亮红灯（{detail.get('red_since')}起）"
    return f"{project}：连续两个月未按时报送月度进度（{detail.get('first_month')}起）"


def _system_problem(t: SystemTrigger, trigger: Trigger, title: str, now: datetime) -> ProblemRow:
    """The problem a trigger raises: ordinary, owned by the project's unit, raised by the system."""
    return ProblemRow(
        id=str(uuid.uuid4()),
        title=title,
        description=f"系统根据进度事件自动发现：{t.key}",
        category=Category.OTHER,
        severity=Severity.ORDINARY,
        project_id=t.project_id,
        raised_unit=None,
        owner_unit=t.unit_code,
        co_units=[],
        level=Level.UNIT,
        status=Status.RAISED,
        source=Source.SYSTEM,
        trigger=trigger,
        raised_by=SYSTEM,
        raised_at=now,
        updated_at=now,
    )


async def raise_from_trigger(
    *, uow: EscalationUnitOfWork, t: SystemTrigger, now: datetime, sla: SlaPolicy
) -> ProblemRow:
    """Raise the trigger's problem and assign it at once to the project's unit, so none waits unseen (R7)."""
    trigger = Trigger(t.trigger)
    project = await uow.directory.project(t.project_id)
    title = _title(trigger, project.name if project else t.project_id, t.detail)
    owner = t.unit_code
    p = _system_problem(t, trigger, title, now)
    await uow.problems.add(p)
    t.problem_id = p.id
    record(
        uow,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.RAISE,
        from_status=None,
        from_level=None,
        note=title,
        data={"trigger": trigger.value, "key": t.key, **t.detail},
    )
    uow.emit(
        ProblemRaised(
            **event_base(p, now),
            title=title,
            description=p.description,
            source=Source.SYSTEM,
            trigger=trigger,
            raised_by=SYSTEM,
            raised_unit=None,
            responsible_person=None,
            co_units=[],
        )
    )
    assign_problem(
        uow,
        p,
        to=Status.ASSIGNED,
        actor=SYSTEM,
        owner=owner,
        co_units=[],
        responsible_person=None,
        deadline=None,
        now=now,
        sla=sla,
    )
    return p
