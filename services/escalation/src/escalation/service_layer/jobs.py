"""The scheduler's jobs: the timer engine (R7, R8) and the system's own problems (R3, R5).

Each gets the app and the scheduler's `now` (the app's movable clock); every problem or batch is one
unit of work, so a failure loses one problem's step, never another's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from escalation.service_layer.clocks import SlaPolicy
from escalation.service_layer.ladder import settle_problem
from escalation.service_layer.metrics import count_facts
from escalation.service_layer.triggers import detect_red_months, raise_from_trigger
from escalation.service_layer.unit_of_work import EscalationUnitOfWork

CLOCK_BATCH = 200
TRIGGER_BATCH = 100


async def run_clocks(app: Any, now: datetime) -> None:
    """Scheduler job: settle every clock that owes a reminder or has run out by `now` (R7, R8)."""
    sla: SlaPolicy = app.state.sla
    new_uow: Callable[[], EscalationUnitOfWork] = app.state.new_uow
    seen: set[str] = set()
    while True:
        async with new_uow() as uow:
            ids = await uow.clocks.problems_owing(now, skip=seen, limit=CLOCK_BATCH)
        if not ids:
            return
        for problem_id in ids:
            seen.add(problem_id)
            async with new_uow() as uow:
                await settle_problem(uow=uow, problem_id=problem_id, now=now, sla=sla)
            count_facts(app.state.metrics.escalation, uow.events)  # committed: count them, once


async def run_triggers(app: Any, now: datetime) -> None:
    """Scheduler job: detect closed red months, then raise every pending trigger's problem (R3, R5)."""
    sla: SlaPolicy = app.state.sla
    new_uow: Callable[[], EscalationUnitOfWork] = app.state.new_uow
    async with new_uow() as uow:
        await detect_red_months(uow=uow, now=now, grace_days=app.state.settings.red_light_grace_days)
    while True:
        async with new_uow() as uow:
            pending = await uow.triggers.pending(TRIGGER_BATCH)
            for trigger in pending:
                await raise_from_trigger(uow=uow, t=trigger, now=now, sla=sla)
        if len(pending) < TRIGGER_BATCH:
            return
