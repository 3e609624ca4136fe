"""What every step of the problem loop shares (R7, R8): the problem under its lock, its next status
(or 409), the line it leaves in the history, and the fields every problem event carries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from diaodu_platform.errors import conflict, not_found
from escalation.adapters.tables import HistoryRow, ProblemRow
from escalation.domain.model import Action, Category, IllegalTransition, Severity, Status, next_status
from escalation.events import HistoryEntry
from escalation.service_layer.unit_of_work import EscalationUnitOfWork


async def load(uow: EscalationUnitOfWork, problem_id: str) -> ProblemRow:
    """The problem, locked for this transaction, or 404."""
    p = await uow.problems.get(problem_id)
    if p is None:
        raise not_found("problem", problem_id)
    return p


def transition(p: ProblemRow, action: Action) -> Status:
    """The problem's next status, or 409 naming the statuses that allow the command."""
    try:
        return next_status(action, Status(p.status))
    except IllegalTransition as exc:
        raise conflict(
            str(exc),
            problem_id=p.id,
            current_status=p.status,
            allowed_from=[s.value for s in exc.allowed_from],
        ) from exc


def event_base(p: ProblemRow, now: datetime) -> dict[str, Any]:
    """The fields every problem event carries (docs/event-contracts.md)."""
    return {
        "problem_id": p.id,
        "project_id": p.project_id,
        "owner_unit": p.owner_unit,
        "category": Category(p.category),
        "severity": Severity(p.severity),
        "level": p.level,
        "status": Status(p.status),
        "occurred_at": now,
    }


def record(
    uow: EscalationUnitOfWork,
    p: ProblemRow,
    *,
    at: datetime,
    actor: str,
    action: Action,
    from_status: str | None,
    from_level: int | None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Keep one transition in the problem's history (R8)."""
    uow.history.add(
        HistoryRow(
            problem_id=p.id,
            at=at,
            actor=actor,
            action=action.value,
            from_status=from_status,
            to_status=p.status,
            from_level=from_level,
            to_level=p.level,
            note=note,
            data=data or {},
        )
    )


def step(
    uow: EscalationUnitOfWork,
    p: ProblemRow,
    action: Action,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move the problem by one action of the loop at its level, or 409, and keep the step (R7, R8)."""
    from_status = p.status
    p.status, p.updated_at = transition(p, action), now
    record(
        uow,
        p,
        at=now,
        actor=actor,
        action=action,
        from_status=from_status,
        from_level=p.level,
        note=note,
        data=data,
    )


def history_entries(rows: Iterable[HistoryRow]) -> list[HistoryEntry]:
    """History rows as the events and read models show them."""
    return [
        HistoryEntry(
            at=h.at,
            actor=h.actor,
            action=h.action,
            from_status=Status(h.from_status) if h.from_status else None,
            to_status=Status(h.to_status) if h.to_status else None,
            from_level=h.from_level,
            to_level=h.to_level,
            note=h.note,
        )
        for h in rows
    ]


async def history(uow: EscalationUnitOfWork, problem_id: str) -> list[HistoryEntry]:
    """The problem's history so far, this transaction's steps included."""
    return history_entries(await uow.history.of(problem_id))
