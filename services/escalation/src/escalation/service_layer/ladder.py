"""The timer engine: reminders, breaches and the escalation ladder (R7, R8).

Run by the platform scheduler with the app's (movable) clock. Safe with several replicas: each
problem is handled in its own transaction under its row lock, taken with SKIP LOCKED so a replica
never waits for another; a clock's state is re-read under that lock, an escalation is unique per
breached clock, and 督办函 numbers come from a per-year counter row advanced atomically.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from diaodu_platform.db import unit_of_work
from diaodu_platform.logging import get_logger
from escalation.adapters.tables import ClockRow, EscalationRow, MeetingItemRow, ProblemRow
from escalation.domain.model import OPEN_STATUSES, Action, Level, Severity, Status, next_level
from escalation.domain.sla import ClockKind, resolve_clock, tick
from escalation.events import MeetingItemAdded, ProblemEscalated, SlaBreached, SlaReminder
from escalation.service_layer.common import (
    Deps,
    base,
    emit,
    emitted,
    issue_notice,
    leaders_of,
    next_notice_number,
    record,
    start_clocks,
    transition,
)
from escalation.service_layer.metrics import count_facts

log = get_logger(__name__)
BATCH = 200
SYSTEM = "system"


async def run_clocks(app: Any, now: datetime) -> None:
    """Scheduler job: settle every clock that owes a reminder or has run out by `now`."""
    deps: Deps = app.state.deps
    engine = app.state.engine
    seen: set[str] = set()
    while True:
        async with engine.connect() as conn:
            ids = [
                r[0]
                for r in (
                    await conn.execute(
                        select(col(ClockRow.problem_id))
                        .where(
                            col(ClockRow.state) == "running",
                            col(ClockRow.next_at) <= now,
                            col(ClockRow.problem_id).not_in(seen),
                        )
                        .group_by(col(ClockRow.problem_id))
                        .order_by(col(ClockRow.problem_id))
                        .limit(BATCH)
                    )
                ).all()
            ]
        if not ids:
            return
        for problem_id in ids:
            seen.add(problem_id)
            async with unit_of_work(engine) as session:
                await settle_problem(session, deps, problem_id, now)
                facts = emitted(session)
            count_facts(app.state.metrics.escalation, facts)  # committed: count them, once


async def settle_problem(session: AsyncSession, deps: Deps, problem_id: str, now: datetime) -> int:
    """Settle one problem's due clocks under its row lock; 0 if another replica holds it."""
    p = (
        (
            await session.execute(
                select(ProblemRow).where(col(ProblemRow.id) == problem_id).with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .first()
    )
    if p is None:
        return 0
    clocks = (
        (
            await session.execute(
                select(ClockRow)
                .where(
                    col(ClockRow.problem_id) == problem_id,
                    col(ClockRow.state) == "running",
                    col(ClockRow.next_at) <= now,
                )
                .order_by(col(ClockRow.due_at), col(ClockRow.id))
            )
        )
        .scalars()
        .all()
    )
    for clock in clocks:
        await settle_clock(session, deps, p, clock, now)
    return len(clocks)


async def settle_clock(
    session: AsyncSession, deps: Deps, p: ProblemRow, clock: ClockRow, now: datetime
) -> None:
    reminders = {int(pct): datetime.fromisoformat(at) for pct, at in clock.reminders}
    owed = tick(now=now, due_at=clock.due_at, reminders=reminders, sent=clock.reminded)
    kind = ClockKind(clock.kind)
    clock.reminded = [*clock.reminded, *owed.remind, *owed.skip]
    for pct in owed.remind:
        await emit(session, deps, SlaReminder(**base(p, now), clock=kind, percent=pct, due_at=clock.due_at))
    if not owed.breached:
        clock.next_at = min(
            [at for pct, at in reminders.items() if pct not in clock.reminded] + [clock.due_at]
        )
        return
    clock.state, clock.ended_at = "breached", now
    record(
        session,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.BREACH,
        from_status=p.status,
        from_level=p.level,
        note=f"{kind.value} clock ran out",
        data={"clock": kind.value, "due_at": clock.due_at.isoformat()},
    )
    await emit(session, deps, SlaBreached(**base(p, now), clock=kind, due_at=clock.due_at))
    if kind is ClockKind.RESOLVE and Status(p.status) in OPEN_STATUSES:
        await escalate(session, deps, p, clock, now)


async def escalate(session: AsyncSession, deps: Deps, p: ProblemRow, clock: ClockRow, now: datetime) -> None:
    """One level up, a numbered 督办函 and a restarted resolve clock; level 3 adds a meeting item (R8).

    At level 3 there is nowhere higher: the problem stays open and overdue, in every list, until 销号.
    """
    to_level = next_level(p.level)
    if to_level is None:
        return
    transition(p, Action.ESCALATE)
    from_level = p.level
    p.level, p.updated_at = to_level, now
    start_clocks(session, p, [resolve_clock(now, Severity(p.severity), deps.is_workday, deps.rules)])
    assert clock.id is not None and p.deadline is not None and p.due_at is not None
    leader_ids = await leaders_of(session, project_id=p.project_id, unit_code=p.owner_unit)
    record(
        session,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.ESCALATE,
        from_status=p.status,
        from_level=from_level,
        note=f"resolve clock ran out at level {from_level}",
        data={"leader_ids": leader_ids, "deadline": p.deadline.isoformat()},
    )
    seq, number = await next_notice_number(session, now.year)
    esc = EscalationRow(
        problem_id=p.id,
        clock_id=clock.id,
        from_level=from_level,
        to_level=to_level,
        notice_number=number,
        at=now,
    )
    session.add(esc)
    await session.flush()  # the unique clock_id refuses a second escalation of the same breach
    await emit(
        session,
        deps,
        ProblemEscalated(
            **base(p, now),
            from_level=from_level,
            to_level=to_level,
            notice_number=number,
            leader_ids=leader_ids,
            deadline=p.deadline,
            due_at=p.due_at,
        ),
    )
    notice = await issue_notice(
        session,
        deps,
        p,
        now=now,
        actor=SYSTEM,
        reason="escalation",
        deadline=p.deadline,
        note=f"问题未在期限内办结，升级至第{to_level}级督办",
        numbered=(seq, number),
    )
    if to_level == Level.COUNTY_MEETING:
        assert esc.id is not None
        item = MeetingItemRow(
            problem_id=p.id, escalation_id=esc.id, notice_number=notice.notice_number, added_at=now
        )
        session.add(item)
        await session.flush()
        assert item.id is not None
        record(
            session,
            p,
            at=now,
            actor=SYSTEM,
            action=Action.ADD_MEETING_ITEM,
            from_status=p.status,
            from_level=p.level,
            note="列入县政府会议议题",
            data={"meeting_item_id": item.id},
        )
        await emit(
            session,
            deps,
            MeetingItemAdded(
                **base(p, now),
                meeting_item_id=item.id,
                notice_number=notice.notice_number,
                title=p.title,
                deadline=p.deadline,
            ),
        )
    log.info("problem escalated", problem_id=p.id, to_level=to_level, notice=notice.notice_number)
