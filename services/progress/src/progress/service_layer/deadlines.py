"""The reporting window (R5): remind units before the due date, mark missing reports overdue after it.

The facts are recorded under unique keys (deadline_facts) in the same transaction as their events, so
two replicas, a crash or a repeated run never emit one twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from diaodu_platform.events import Event
from progress.domain.deadlines import DeadlineDue, deadline, deadlines_due
from progress.events import ReportOverdue, ReportReminderDue
from progress.service_layer.unit_of_work import ProgressUnitOfWork


async def _reminders(
    uow: ProgressUnitOfWork, due: DeadlineDue, missing: list[tuple[str, str]], now: datetime
) -> list[Event]:
    by_unit: dict[str, list[str]] = defaultdict(list)
    for project_id, unit_code in missing:
        by_unit[unit_code].append(project_id)
    fresh = await uow.deadlines.record("reminder", due.month, [(u, u) for u in by_unit], now)
    return [
        ReportReminderDue(
            unit_code=u, month=str(due.month), due_date=due.due_date, missing_project_ids=by_unit[u]
        )
        for u in sorted(fresh)
    ]


async def _overdue(
    uow: ProgressUnitOfWork, due: DeadlineDue, missing: list[tuple[str, str]], now: datetime
) -> list[Event]:
    fresh = await uow.deadlines.record("overdue", due.month, missing, now)
    return [
        ReportOverdue(project_id=pid, unit_code=unit, month=str(due.month), due_date=due.due_date)
        for pid, unit in missing
        if pid in fresh
    ]


async def check_deadlines(*, uow: ProgressUnitOfWork, now: datetime) -> list[Event]:
    """Remind units before the due date and mark every missing report overdue after it, once each (R5)."""
    policy, _ = await uow.policy.get()
    events: list[Event] = []
    for due in deadlines_due(now, policy):
        if not (due.remind or due.overdue):
            continue
        missing = await uow.deadlines.missing(due.month, deadline(due.month, policy))
        if due.remind:
            events += await _reminders(uow, due, missing, now)
        if due.overdue:
            events += await _overdue(uow, due, missing, now)
    uow.emit(*events)
    return events
