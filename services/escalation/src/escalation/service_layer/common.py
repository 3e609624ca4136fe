"""What every escalation command shares: the service's dependencies, history, clocks, notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from diaodu_platform.errors import Problem, conflict
from diaodu_platform.events import Event
from diaodu_platform.outbox import Outbox
from escalation.adapters.tables import ClockRow, HistoryRow, LeaderAssignmentView, NoticeRow, ProblemRow
from escalation.domain.model import (
    Action,
    Category,
    IllegalTransition,
    Severity,
    Status,
    next_status,
    notice_number,
)
from escalation.domain.sla import ClockKind, ClockPlan, IsWorkday, SlaRules
from escalation.events import HistoryEntry, NoticeIssued

_EMITTED = "escalation.emitted"


@dataclass(frozen=True)
class Deps:
    """Built once per app: where events go, the working-day calendar and the 13710 rules."""

    outbox: Outbox
    is_workday: IsWorkday
    rules: SlaRules


def unprocessable(field: str, message: str, **ext: Any) -> Problem:
    return Problem(
        422,
        "Invalid request",
        message,
        type_="/problems/validation",
        errors=[{"field": field, "message": message, **ext}],
    )


def base(p: ProblemRow, now: datetime) -> dict[str, Any]:
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


async def emit(session: AsyncSession, deps: Deps, *events: Event) -> None:
    """Stage events in the outbox, in the transaction of the state change."""
    await session.flush()
    await deps.outbox.add(await session.connection(), *events)
    session.info.setdefault(_EMITTED, []).extend(events)


def emitted(session: AsyncSession) -> list[Event]:
    """The events this session's transaction staged so far: facts once it commits, nothing if not."""
    return list(session.info.get(_EMITTED, []))


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


def record(
    session: AsyncSession,
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
    session.add(
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


async def history(session: AsyncSession, problem_id: str) -> list[HistoryEntry]:
    await session.flush()
    rows = (
        (
            await session.execute(
                select(HistoryRow)
                .where(col(HistoryRow.problem_id) == problem_id)
                .order_by(col(HistoryRow.id))
            )
        )
        .scalars()
        .all()
    )
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


def start_clocks(session: AsyncSession, p: ProblemRow, plans: list[ClockPlan]) -> None:
    """Start a new cycle of clocks; the resolve clock sets the problem's deadline at its level."""
    p.cycle += 1
    for plan in plans:
        first = min([at for _, at in plan.reminders] + [plan.due_at])
        session.add(
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
    session: AsyncSession, p: ProblemRow, kinds: list[ClockKind], *, state: str, now: datetime
) -> None:
    """End the running clocks of the given kinds (met when the obligation was fulfilled)."""
    await session.flush()
    await session.execute(
        update(ClockRow)
        .where(
            col(ClockRow.problem_id) == p.id,
            col(ClockRow.state) == "running",
            col(ClockRow.kind).in_([k.value for k in kinds]),
        )
        .values(state=state, ended_at=now)
    )


async def leaders_of(session: AsyncSession, *, project_id: str | None, unit_code: str) -> list[str]:
    """包联/分管 leaders of the project, then of the owning unit (R8 level 2)."""
    la = LeaderAssignmentView
    conditions: list[ColumnElement[bool]] = [(col(la.unit_code) == unit_code) & col(la.project_id).is_(None)]
    if project_id:
        conditions.append(col(la.project_id) == project_id)
    rows = (
        await session.execute(select(col(la.leader_id), col(la.project_id)).where(or_(*conditions)))
    ).all()
    ordered = sorted(rows, key=lambda r: (r[1] is None, r[0]))
    return list(dict.fromkeys(r[0] for r in ordered))


async def next_notice_number(session: AsyncSession, year: int) -> tuple[int, str]:
    """Advance the year's 督办函 counter atomically; the row lock holds until commit (two replicas)."""
    seq = (
        await session.execute(
            text(
                "INSERT INTO notice_counters (year, last) VALUES (:year, 1) "
                "ON CONFLICT (year) DO UPDATE SET last = notice_counters.last + 1 RETURNING last"
            ),
            {"year": year},
        )
    ).scalar_one()
    return int(seq), notice_number(year, int(seq))


async def issue_notice(
    session: AsyncSession,
    deps: Deps,
    p: ProblemRow,
    *,
    now: datetime,
    actor: str,
    reason: str,
    deadline: date,
    note: str | None = None,
    numbered: tuple[int, str] | None = None,
) -> NoticeIssued:
    """Number a 督办函 (unless `numbered` already) and stage `notice_issued` with the history so far (R8)."""
    transition(p, Action.ISSUE_NOTICE)
    seq, number = numbered or await next_notice_number(session, now.year)
    record(
        session,
        p,
        at=now,
        actor=actor,
        action=Action.ISSUE_NOTICE,
        from_status=p.status,
        from_level=p.level,
        note=note,
        data={"notice_number": number, "reason": reason, "deadline": deadline.isoformat()},
    )
    so_far = await history(session, p.id)
    session.add(
        NoticeRow(
            year=now.year,
            seq=seq,
            number=number,
            problem_id=p.id,
            level=p.level,
            reason=reason,
            issued_by=actor,
            issued_at=now,
            owner_unit=p.owner_unit,
            deadline=deadline,
            note=note,
            history=[h.model_dump(mode="json") for h in so_far],
        )
    )
    event = NoticeIssued(
        **base(p, now),
        notice_number=number,
        reason=reason,
        issued_by=actor,
        title=p.title,
        responsible_person=p.responsible_person,
        deadline=deadline,
        note=note,
        history=so_far,
    )
    await emit(session, deps, event)
    return event
