"""Projections of the registry's and the progress service's events (SPEC §2: no shared databases).

Handlers run inside the consumer's batch transaction with the inbox row, so a redelivered event
never reaches them twice; they are also replayable from an empty database (upserts keyed by ids,
older project versions and older light months ignored). They only record facts: a trigger row
found here is turned into a problem by the timer job, which owns the clock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from diaodu_platform.events import Envelope
from escalation.adapters.tables import (
    LeaderAssignmentView,
    LeaderView,
    OverdueReport,
    ProjectLight,
    ProjectView,
    SystemTrigger,
    UnitView,
)
from escalation.domain.model import Trigger
from escalation.domain.triggers import (
    LightState,
    apply_light,
    month_add,
    overdue_streak_start,
    red_for_second_month,
    red_light_key,
    reports_overdue_key,
)

INVESTMENT = "investment"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


async def on_unit_registered(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    values = {"name": d["unit_name"], "kind": d["kind"], "parent_code": d.get("parent_code")}
    await conn.execute(
        insert(UnitView)
        .values(code=d["unit_code"], **values)
        .on_conflict_do_update(index_elements=["code"], set_=values)
    )


on_unit_updated = on_unit_registered


async def on_project_registered(conn: AsyncConnection, env: Envelope) -> None:
    snap = env.data["project"]
    values = {
        "name": snap["name"],
        "unit_code": snap["unit_code"],
        "stage": snap["stage"],
        "version": int(snap.get("version", 0)),
    }
    stmt = insert(ProjectView).values(id=env.data["project_id"], **values)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["id"], set_=values, where=col(ProjectView.version) < stmt.excluded.version
        )
    )


on_project_updated = on_project_registered


async def on_project_stage_changed(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    await conn.execute(
        update(ProjectView).where(col(ProjectView.id) == d["project_id"]).values(stage=d["to_stage"])
    )


async def on_leader_assigned(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    leader = {"name": d["leader_name"], "title": d.get("leader_title")}
    await conn.execute(
        insert(LeaderView)
        .values(id=d["leader_id"], **leader)
        .on_conflict_do_update(index_elements=["id"], set_=leader)
    )
    assignment = {
        "leader_id": d["leader_id"],
        "unit_code": d.get("unit_code"),
        "project_id": d.get("project_id"),
        "role": d.get("role") or "包联",
    }
    await conn.execute(
        insert(LeaderAssignmentView)
        .values(id=int(d["assignment_id"]), **assignment)
        .on_conflict_do_update(index_elements=["id"], set_=assignment)
    )


async def _trigger(
    conn: AsyncConnection,
    *,
    key: str,
    trigger: Trigger,
    project_id: str,
    unit_code: str,
    detail: dict[str, Any],
) -> None:
    await conn.execute(
        insert(SystemTrigger)
        .values(key=key, trigger=trigger.value, project_id=project_id, unit_code=unit_code, detail=detail)
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def on_light_changed(conn: AsyncConnection, env: Envelope) -> None:
    """亮灯 (R3): keep each project's light; red for a second month is a trigger."""
    d = env.data
    if d.get("scope", "project") != "project" or not d.get("project_id"):
        return  # a unit's light raises no problem by itself
    project_id, kind = d["project_id"], d["kind"]
    row = (
        await conn.execute(
            select(col(ProjectLight.light), col(ProjectLight.month), col(ProjectLight.red_since))
            .where(col(ProjectLight.project_id) == project_id, col(ProjectLight.kind) == kind)
            .with_for_update()
        )
    ).first()
    old = LightState(light=row[0], month=row[1], red_since=row[2]) if row else None
    new = apply_light(old, month=d["month"], light=d["light"])
    values = {"unit_code": d["unit_code"], "light": new.light, "month": new.month, "red_since": new.red_since}
    await conn.execute(
        insert(ProjectLight)
        .values(project_id=project_id, kind=kind, **values)
        .on_conflict_do_update(index_elements=["project_id", "kind"], set_=values)
    )
    if kind == INVESTMENT and new.red_since and red_for_second_month(new):
        await _trigger(
            conn,
            key=red_light_key(project_id, new.red_since),
            trigger=Trigger.RED_LIGHT,
            project_id=project_id,
            unit_code=d["unit_code"],
            detail={"red_since": new.red_since, "month": new.month, "seen": "light_changed"},
        )


async def on_report_overdue(conn: AsyncConnection, env: Envelope) -> None:
    """R5: a missing monthly report; two consecutive months are a trigger."""
    d = env.data
    project_id, month = d["project_id"], d["month"]
    await conn.execute(
        insert(OverdueReport)
        .values(
            project_id=project_id, month=month, unit_code=d["unit_code"], due_date=_date(d.get("due_date"))
        )
        .on_conflict_do_nothing(index_elements=["project_id", "month"])
    )
    months = set(
        (
            await conn.execute(
                select(col(OverdueReport.month)).where(col(OverdueReport.project_id) == project_id)
            )
        ).scalars()
    )
    for end in (month, month_add(month, 1)):
        start = overdue_streak_start(months, end)
        if start is not None:
            await _trigger(
                conn,
                key=reports_overdue_key(project_id, start),
                trigger=Trigger.REPORTS_OVERDUE,
                project_id=project_id,
                unit_code=d["unit_code"],
                detail={"first_month": start, "months": [start, month_add(start, 1)]},
            )
            return
