"""Scheduled work: the reporting deadlines (R5) and the lights (R3).

Both run under the scheduler's advisory lock and record what they emitted under unique keys
(deadline_facts, light_states) in the same transaction as the events, so that two replicas, a
crash or a repeated run never emit a fact twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.events import Event
from diaodu_platform.logging import get_logger
from diaodu_platform.outbox import Outbox
from progress.adapters.tables import deadline_facts, light_states
from progress.domain.deadlines import deadline, deadlines_due, latest_closed_month
from progress.domain.lights import Verdict
from progress.domain.model import LightKind, LightScope, Month
from progress.domain.policy import Policy
from progress.events import LightChanged, ReportOverdue, ReportReminderDue
from progress.service_layer.monthly import REQUIRED_SQL, month_view
from progress.service_layer.policy import load_policy

log = get_logger(__name__)

_MISSING_PROJECTS = text(f"""
SELECT p.id, p.unit_code FROM projects p
WHERE {REQUIRED_SQL}
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.project_id = p.id AND r.month = :month)
ORDER BY p.unit_code, p.id
""")


async def _record(
    conn: AsyncConnection, kind: str, month: Month, facts: list[tuple[str, str]], at: datetime
) -> set[str]:
    """Insert (subject, unit) facts; return the subjects that were not recorded before."""
    if not facts:
        return set()
    stmt = (
        insert(deadline_facts)
        .values(
            [
                {"kind": kind, "month": str(month), "subject": subject, "unit_code": unit, "emitted_at": at}
                for subject, unit in facts
            ]
        )
        .on_conflict_do_nothing()
        .returning(deadline_facts.c.subject)
    )
    return {r.subject for r in await conn.execute(stmt)}


async def check_deadlines(
    *, conn: AsyncConnection, outbox: Outbox, now: datetime, policy: Policy
) -> list[Event]:
    """Remind units before the due date and mark every missing report overdue after it, once each."""
    events: list[Event] = []
    for due in deadlines_due(now, policy):
        if not (due.remind or due.overdue):
            continue
        missing = (
            await conn.execute(
                _MISSING_PROJECTS, {"deadline": deadline(due.month, policy), "month": str(due.month)}
            )
        ).all()
        if due.remind:
            by_unit: dict[str, list[str]] = defaultdict(list)
            for r in missing:
                by_unit[r.unit_code].append(r.id)
            fresh = await _record(conn, "reminder", due.month, [(u, u) for u in by_unit], now)
            events += [
                ReportReminderDue(
                    unit_code=u, month=str(due.month), due_date=due.due_date, missing_project_ids=by_unit[u]
                )
                for u in sorted(fresh)
            ]
        if due.overdue:
            fresh = await _record(conn, "overdue", due.month, [(r.id, r.unit_code) for r in missing], now)
            events += [
                ReportOverdue(
                    project_id=r.id, unit_code=r.unit_code, month=str(due.month), due_date=due.due_date
                )
                for r in missing
                if r.id in fresh
            ]
    await outbox.add(conn, *events)
    return events


async def run_deadlines(app: Any, now: datetime) -> None:
    async with app.state.engine.begin() as conn:
        policy, _ = await load_policy(conn)
        events = await check_deadlines(conn=conn, outbox=app.state.outbox, now=now, policy=policy)
    if events:
        log.info("deadline facts emitted", count=len(events))


async def update_lights(
    *, conn: AsyncConnection, outbox: Outbox, month: Month, policy: Policy, now: datetime
) -> list[LightChanged]:
    """Judge every project and unit for `month`; store and emit only the lights that changed."""
    current = {
        (r.scope, r.subject, r.kind): r.light
        for r in await conn.execute(
            select(light_states.c.scope, light_states.c.subject, light_states.c.kind, light_states.c.light)
        )
    }
    candidates: list[tuple[LightScope, str | None, str, LightKind, Verdict]] = []
    for um in await month_view(conn, month=month, policy=policy):
        for pm in um.projects:
            if pm.required:
                candidates += [
                    (LightScope.PROJECT, pm.project.id, um.unit_code, kind, v)
                    for kind, v in pm.lights.items()
                ]
        candidates.append((LightScope.UNIT, None, um.unit_code, LightKind.UNIT, um.light))
    changes: list[LightChanged] = []
    rows = []
    for scope, project_id, unit_code, kind, v in candidates:
        subject = project_id or unit_code
        previous = current.get((scope.value, subject, kind.value))
        if previous == v.light.value:
            continue
        rows.append(
            {
                "scope": scope.value,
                "subject": subject,
                "kind": kind.value,
                "unit_code": unit_code,
                "month": str(month),
                "light": v.light.value,
                "gap_points": v.gap_points,
                "reason": v.reason,
                "updated_at": now,
            }
        )
        changes.append(
            LightChanged(
                scope=scope,
                project_id=project_id,
                unit_code=unit_code,
                month=str(month),
                kind=kind,
                previous=previous,
                light=v.light,
                reason=v.reason,
                gap_points=v.gap_points,
            )
        )
    if rows:
        stmt = insert(light_states)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[light_states.c.scope, light_states.c.subject, light_states.c.kind],
                set_={
                    k: stmt.excluded[k]
                    for k in ("unit_code", "month", "light", "gap_points", "reason", "updated_at")
                },
            ),
            rows,
        )
    await outbox.add(conn, *changes)
    return changes


async def run_lights(app: Any, now: datetime) -> None:
    async with app.state.engine.begin() as conn:
        policy, _ = await load_policy(conn)
        month = latest_closed_month(now, policy)
        changes = await update_lights(conn=conn, outbox=app.state.outbox, month=month, policy=policy, now=now)
    if changes:
        log.info("lights changed", month=str(month), count=len(changes))
