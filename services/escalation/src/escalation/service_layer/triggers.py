"""The system raises problems by itself (issue 4): a project red for a second month, or with two
consecutive overdue reports. Scheduler job: it finds red lights whose second month has closed with
no change, then raises and assigns (交办) one problem per trigger episode, exactly once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from diaodu_platform.db import unit_of_work
from escalation.adapters.tables import ProblemRow, ProjectLight, ProjectView, SystemTrigger
from escalation.domain.model import Action, Category, Level, Severity, Source, Status, Trigger
from escalation.domain.triggers import month_add, red_light_key, red_second_month_closed
from escalation.events import ProblemRaised
from escalation.service_layer.common import Deps, base, emit, record
from escalation.service_layer.problems import assign_row
from escalation.service_layer.projections import INVESTMENT

SYSTEM = "system"
BATCH = 100


async def run_triggers(app: Any, now: datetime) -> None:
    """Scheduler job: detect closed red months, then raise every pending trigger's problem."""
    deps: Deps = app.state.deps
    grace = app.state.settings.red_light_grace_days
    async with unit_of_work(app.state.engine) as session:
        await detect_red_months(session, now=now, grace_days=grace)
    while True:
        async with unit_of_work(app.state.engine) as session:
            pending = (
                (
                    await session.execute(
                        select(SystemTrigger)
                        .where(col(SystemTrigger.problem_id).is_(None))
                        .order_by(col(SystemTrigger.detected_at))
                        .limit(BATCH)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            for trigger in pending:
                await raise_from_trigger(session, deps, trigger, now)
        if len(pending) < BATCH:
            return


async def detect_red_months(session: AsyncSession, *, now: datetime, grace_days: int) -> None:
    """Time path: month M+1's reporting closed (plus grace) and the light stayed red since M."""
    latest = month_add(f"{now.year:04d}-{now.month:02d}", -2)
    rows = (
        (
            await session.execute(
                select(ProjectLight).where(
                    col(ProjectLight.kind) == INVESTMENT,
                    col(ProjectLight.light) == "red",
                    col(ProjectLight.red_since) <= latest,
                )
            )
        )
        .scalars()
        .all()
    )
    for light in rows:
        assert light.red_since is not None
        if red_second_month_closed(light.red_since, now.date(), grace_days):
            await session.execute(
                insert(SystemTrigger)
                .values(
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
                .on_conflict_do_nothing(index_elements=["key"])
            )


def _title(trigger: Trigger, project: str, detail: dict[str, Any]) -> str:
    if trigger is Trigger.RED_LIGHT:
        return f"{project}：投资进度连续两个月亮红灯（{detail.get('red_since')}起）"
    return f"{project}：连续两个月未按时报送月度进度（{detail.get('first_month')}起）"


async def raise_from_trigger(session: AsyncSession, deps: Deps, t: SystemTrigger, now: datetime) -> None:
    """Raise the trigger's problem and assign it at once to the project's unit: no problem waits unseen."""
    trigger = Trigger(t.trigger)
    project = await session.get(ProjectView, t.project_id)
    title = _title(trigger, project.name if project else t.project_id, t.detail)
    owner = t.unit_code
    p = ProblemRow(
        id=str(uuid.uuid4()),
        title=title,
        description=f"系统根据进度事件自动发现：{t.key}",
        category=Category.OTHER,
        severity=Severity.ORDINARY,
        project_id=t.project_id,
        raised_unit=None,
        owner_unit=owner,
        co_units=[],
        level=Level.UNIT,
        status=Status.RAISED,
        source=Source.SYSTEM,
        trigger=trigger,
        raised_by=SYSTEM,
        raised_at=now,
        updated_at=now,
    )
    session.add(p)
    await session.flush()  # the problem row first: history, clocks and notices refer to it
    t.problem_id = p.id
    record(
        session,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.RAISE,
        from_status=None,
        from_level=None,
        note=title,
        data={"trigger": trigger.value, "key": t.key, **t.detail},
    )
    await emit(
        session,
        deps,
        ProblemRaised(
            **base(p, now),
            title=title,
            description=p.description,
            source=Source.SYSTEM,
            trigger=trigger,
            raised_by=SYSTEM,
            raised_unit=None,
            responsible_person=None,
            co_units=[],
        ),
    )
    await assign_row(
        session=session,
        deps=deps,
        p=p,
        to=Status.ASSIGNED,
        actor=SYSTEM,
        owner=owner,
        co_units=[],
        responsible_person=None,
        deadline=None,
        now=now,
    )
