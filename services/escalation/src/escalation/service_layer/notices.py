"""督办函 (R8): numbered per year, issued on escalation or by the 督查室 by hand, with the history so far."""

from __future__ import annotations

from datetime import date, datetime

from diaodu_platform.auth import Principal
from diaodu_platform.errors import unprocessable
from escalation.adapters.tables import NoticeRow, ProblemRow
from escalation.domain.model import Action, notice_number
from escalation.events import NoticeIssued
from escalation.service_layer.commands import IssueNotice
from escalation.service_layer.queries.notices import notice_out
from escalation.service_layer.read_models import NoticeOut
from escalation.service_layer.transitions import event_base, history, load, record, transition
from escalation.service_layer.unit_of_work import EscalationUnitOfWork


async def next_notice_number(uow: EscalationUnitOfWork, year: int) -> tuple[int, str]:
    """Advance the year's 督办函 counter atomically (two replicas never share a number)."""
    seq = await uow.notices.next_seq(year)
    return seq, notice_number(year, seq)


async def issue_notice(
    uow: EscalationUnitOfWork,
    p: ProblemRow,
    *,
    now: datetime,
    actor: str,
    reason: str,
    deadline: date,
    note: str | None = None,
    numbered: tuple[int, str] | None = None,
) -> NoticeRow:
    """Number a 督办函 (unless `numbered` already) and emit `notice_issued` with the history so far (R8)."""
    transition(p, Action.ISSUE_NOTICE)
    seq, number = numbered or await next_notice_number(uow, now.year)
    record(
        uow,
        p,
        at=now,
        actor=actor,
        action=Action.ISSUE_NOTICE,
        from_status=p.status,
        from_level=p.level,
        note=note,
        data={"notice_number": number, "reason": reason, "deadline": deadline.isoformat()},
    )
    so_far = await history(uow, p.id)
    notice = NoticeRow(
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
    uow.notices.add(notice)
    uow.emit(
        NoticeIssued(
            **event_base(p, now),
            notice_number=number,
            reason=reason,
            issued_by=actor,
            title=p.title,
            responsible_person=p.responsible_person,
            deadline=deadline,
            note=note,
            history=so_far,
        )
    )
    return notice


async def notice_by_hand(
    *, uow: EscalationUnitOfWork, cmd: IssueNotice, principal: Principal, now: datetime
) -> NoticeOut:
    """The 督查室 issues a 督办函 by hand; the problem stays at its level (R8)."""
    p = await load(uow, cmd.problem_id)
    deadline = cmd.deadline or p.deadline
    if deadline is None:
        raise unprocessable("deadline", "this problem is not assigned yet and has no deadline; give one")
    p.updated_at = now
    notice = await issue_notice(
        uow, p, now=now, actor=principal.sub, reason="manual", deadline=deadline, note=cmd.note
    )
    return notice_out(notice)
