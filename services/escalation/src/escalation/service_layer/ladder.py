"""The timer engine's handlers: reminders, breaches and the escalation ladder (R7, R8).

Safe with several replicas: each problem is settled in its own unit of work under its row lock, taken
with SKIP LOCKED so a replica never waits for another; a clock's state is re-read under that lock,
an escalation is unique per breached clock, and 督办函 numbers come from a per-year counter row
advanced atomically. The scheduler job that drives them is in jobs.py.
"""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.logging import get_logger
from escalation.adapters.tables import ClockRow, EscalationRow, MeetingItemRow, ProblemRow
from escalation.domain.model import OPEN_STATUSES, Action, Level, Severity, Status, next_level
from escalation.domain.sla import ClockKind, resolve_clock, tick
from escalation.events import MeetingItemAdded, ProblemEscalated, SlaBreached, SlaReminder
from escalation.service_layer.clocks import SlaPolicy, start_clocks
from escalation.service_layer.notices import issue_notice, next_notice_number
from escalation.service_layer.transitions import event_base, record, transition
from escalation.service_layer.unit_of_work import EscalationUnitOfWork

log = get_logger(__name__)
SYSTEM = "system"


async def settle_problem(*, uow: EscalationUnitOfWork, problem_id: str, now: datetime, sla: SlaPolicy) -> int:
    """Settle one problem's due clocks under its row lock; 0 if another replica holds it (R7)."""
    p = await uow.problems.get_unless_locked(problem_id)
    if p is None:
        return 0
    clocks = await uow.clocks.owing(problem_id, now)
    for clock in clocks:
        await settle_clock(uow, p, clock, now=now, sla=sla)
    return len(clocks)


async def settle_clock(
    uow: EscalationUnitOfWork, p: ProblemRow, clock: ClockRow, *, now: datetime, sla: SlaPolicy
) -> None:
    """Send the reminders a clock owes; when it has run out, breach it and escalate a resolve clock (R7)."""
    reminders = {int(pct): datetime.fromisoformat(at) for pct, at in clock.reminders}
    owed = tick(now=now, due_at=clock.due_at, reminders=reminders, sent=clock.reminded)
    kind = ClockKind(clock.kind)
    clock.reminded = [*clock.reminded, *owed.remind, *owed.skip]
    for pct in owed.remind:
        uow.emit(SlaReminder(**event_base(p, now), clock=kind, percent=pct, due_at=clock.due_at))
    if not owed.breached:
        clock.next_at = min(
            [at for pct, at in reminders.items() if pct not in clock.reminded] + [clock.due_at]
        )
        return
    clock.state, clock.ended_at = "breached", now
    record(
        uow,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.BREACH,
        from_status=p.status,
        from_level=p.level,
        note=f"{kind.value} clock ran out",
        data={"clock": kind.value, "due_at": clock.due_at.isoformat()},
    )
    uow.emit(SlaBreached(**event_base(p, now), clock=kind, due_at=clock.due_at))
    if kind is ClockKind.RESOLVE and Status(p.status) in OPEN_STATUSES:
        await escalate(uow, p, clock, now=now, sla=sla)


async def escalate(
    uow: EscalationUnitOfWork, p: ProblemRow, clock: ClockRow, *, now: datetime, sla: SlaPolicy
) -> None:
    """One level up, a numbered 督办函 and a restarted resolve clock; level 3 adds a meeting item (R8).

    At level 3 there is nowhere higher: the problem stays open and overdue, in every list, until 销号.
    """
    to_level = next_level(p.level)
    if to_level is None:
        return
    transition(p, Action.ESCALATE)
    from_level = p.level
    p.level, p.updated_at = to_level, now
    start_clocks(uow, p, [resolve_clock(now, Severity(p.severity), sla.is_workday, sla.rules)])
    assert p.deadline is not None and p.due_at is not None
    leader_ids = await uow.directory.leaders_of(project_id=p.project_id, unit_code=p.owner_unit)
    record(
        uow,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.ESCALATE,
        from_status=p.status,
        from_level=from_level,
        note=f"resolve clock ran out at level {from_level}",
        data={"leader_ids": leader_ids, "deadline": p.deadline.isoformat()},
    )
    seq, number = await next_notice_number(uow, now.year)
    esc = await _step(uow, p, clock, from_level=from_level, notice_number=number, now=now)
    uow.emit(
        ProblemEscalated(
            **event_base(p, now),
            from_level=from_level,
            to_level=to_level,
            notice_number=number,
            leader_ids=leader_ids,
            deadline=p.deadline,
            due_at=p.due_at,
        )
    )
    notice = await issue_notice(
        uow,
        p,
        now=now,
        actor=SYSTEM,
        reason="escalation",
        deadline=p.deadline,
        note=f"问题未在期限内办结，升级至第{to_level}级督办",
        numbered=(seq, number),
    )
    if to_level == Level.COUNTY_MEETING:
        await _add_meeting_item(uow, p, esc, notice_number=notice.number, now=now)
    log.info("problem escalated", problem_id=p.id, to_level=to_level, notice=notice.number)


async def _step(
    uow: EscalationUnitOfWork,
    p: ProblemRow,
    clock: ClockRow,
    *,
    from_level: int,
    notice_number: str,
    now: datetime,
) -> EscalationRow:
    """Keep the step up the ladder, once per breached clock (R8: two replicas never escalate twice)."""
    assert clock.id is not None
    esc = EscalationRow(
        problem_id=p.id,
        clock_id=clock.id,
        from_level=from_level,
        to_level=p.level,
        notice_number=notice_number,
        at=now,
    )
    await uow.ladder.add_escalation(esc)
    return esc


async def _add_meeting_item(
    uow: EscalationUnitOfWork, p: ProblemRow, esc: EscalationRow, *, notice_number: str, now: datetime
) -> None:
    """Put a problem escalated to level 3 on the county government meeting's agenda (R8)."""
    assert esc.id is not None and p.deadline is not None
    item = MeetingItemRow(problem_id=p.id, escalation_id=esc.id, notice_number=notice_number, added_at=now)
    await uow.ladder.add_meeting_item(item)
    assert item.id is not None
    record(
        uow,
        p,
        at=now,
        actor=SYSTEM,
        action=Action.ADD_MEETING_ITEM,
        from_status=p.status,
        from_level=p.level,
        note="列入县政府会议议题",
        data={"meeting_item_id": item.id},
    )
    uow.emit(
        MeetingItemAdded(
            **event_base(p, now),
            meeting_item_id=item.id,
            notice_number=notice_number,
            title=p.title,
            deadline=p.deadline,
        )
    )
