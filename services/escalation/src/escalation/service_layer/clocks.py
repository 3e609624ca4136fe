"""Starting and stopping a problem's 13710 clocks (R7) on the working-day calendar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from escalation.adapters.tables import ClockRow, ProblemRow
from escalation.domain.sla import ClockKind, ClockPlan, IsWorkday, SlaRules
from escalation.service_layer.unit_of_work import EscalationUnitOfWork


@dataclass(frozen=True)
class SlaPolicy:
    """Built once per app from the settings: the PRC working-day calendar and the 13710 rules.

    Handlers that start clocks receive it as an argument (it is configuration, not the transaction's),
    so unit tests pass a calendar of their own.
    """

    is_workday: IsWorkday
    rules: SlaRules


def start_clocks(uow: EscalationUnitOfWork, p: ProblemRow, plans: Iterable[ClockPlan]) -> None:
    """Start a new cycle of clocks; the resolve clock sets the problem's deadline at its level."""
    p.cycle += 1
    for plan in plans:
        first = min([at for _, at in plan.reminders] + [plan.due_at])
        uow.clocks.add(
            ClockRow(
                problem_id=p.id,
                kind=plan.kind.value,
                level=p.level,
                cycle=p.cycle,
                started_at=plan.started_at,
                due_date=plan.due_date,
                due_at=plan.due_at,
                reminders=[[pct, at.isoformat()] for pct, at in plan.reminders],
                reminded=[],
                state="running",
                next_at=first,
            )
        )
        if plan.kind is ClockKind.RESOLVE:
            p.deadline, p.due_at = plan.due_date, plan.due_at


async def stop_clocks(
    uow: EscalationUnitOfWork, p: ProblemRow, kinds: list[ClockKind], *, state: str, now: datetime
) -> None:
    """End the running clocks of the given kinds (met when the obligation was fulfilled)."""
    await uow.clocks.stop(p.id, [k.value for k in kinds], state=state, now=now)
