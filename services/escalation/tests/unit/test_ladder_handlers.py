"""The timer engine on in-memory fakes (R7, R8): reminders, breaches, the ladder with its numbered
督办函, the county meeting's agenda, and the problems the system raises by itself (R3)."""

from __future__ import annotations

from datetime import date, datetime

from escalation_testkit.fakes import FakeEscalationUnitOfWork
from escalation_testkit.world import FRIDAY, P1, SH, SLA, assigned, county, reporter, run

from escalation.adapters.tables import ProjectLight
from escalation.domain.model import Level, Status
from escalation.events import (
    MeetingItemAdded,
    NoticeIssued,
    ProblemAssigned,
    ProblemEscalated,
    ProblemRaised,
    SlaBreached,
    SlaReminder,
)
from escalation.service_layer import handling, ladder, triggers
from escalation.service_layer.commands import AcknowledgeProblem, ReportProgress

PAST_DEADLINE = datetime(2024, 2, 19, 0, 0, 5, tzinfo=SH)  # the resolve clock ran out at 02-19 00:00


async def _settle(uow: FakeEscalationUnitOfWork, problem_id: str, now: datetime) -> list[object]:
    """One run of the timer job over one problem: the events it emitted."""
    before = len(uow.published)
    await run(uow, ladder.settle_problem, problem_id=problem_id, now=now, sla=SLA)
    return uow.published[before:]


async def test_the_resolve_clock_reminds_once_at_half_its_working_time() -> None:
    uow = county()
    p = await assigned(uow)
    owner = reporter("fengcheng")
    await run(uow, handling.acknowledge, cmd=AcknowledgeProblem(problem_id=p.id), principal=owner, now=FRIDAY)
    cmd = ReportProgress(problem_id=p.id, note="正在调整用地指标")
    await run(uow, handling.progress, cmd=cmd, principal=owner, now=FRIDAY)
    # half of the working time to 02-18, the Spring Festival days not counted
    (reminder,) = await _settle(uow, p.id, datetime(2024, 2, 7, 6, tzinfo=SH))
    assert isinstance(reminder, SlaReminder)
    assert (reminder.clock, reminder.percent, reminder.due_at) == (
        "resolve",
        50,
        datetime(2024, 2, 19, tzinfo=SH),
    )
    assert await _settle(uow, p.id, datetime(2024, 2, 7, 6, tzinfo=SH)) == []


async def test_an_overdue_problem_escalates_to_its_leader_with_a_numbered_notice() -> None:
    uow = county()
    p = await assigned(uow)  # nobody acts on it
    events = await _settle(uow, p.id, PAST_DEADLINE)
    assert [type(e) for e in events] == [
        SlaBreached,
        SlaBreached,
        SlaBreached,
        ProblemEscalated,
        NoticeIssued,
    ]
    assert [e.clock for e in events if isinstance(e, SlaBreached)] == ["acknowledge", "progress", "resolve"]
    escalated, notice = events[3], events[4]
    assert isinstance(escalated, ProblemEscalated) and isinstance(notice, NoticeIssued)
    assert (escalated.from_level, escalated.to_level, escalated.leader_ids) == (1, 2, ["leader-li"])
    assert escalated.notice_number == notice.notice_number == "督办〔2024〕第0001号"
    assert (notice.reason, notice.deadline) == ("escalation", date(2024, 2, 28))  # the clock restarted
    row = uow.problems.rows[p.id]
    assert (row.level, row.status, row.deadline) == (Level.LEADER, Status.ASSIGNED, date(2024, 2, 28))
    assert uow.actions(p.id)[-3:] == ["breach", "escalate", "issue_notice"]
    assert await _settle(uow, p.id, PAST_DEADLINE) == []  # settled once


async def test_escalated_to_level_3_a_problem_goes_on_the_county_meetings_agenda() -> None:
    uow = county()
    p = await assigned(uow)
    await _settle(uow, p.id, PAST_DEADLINE)
    level_2_due = uow.problems.rows[p.id].due_at
    assert level_2_due is not None
    events = await _settle(uow, p.id, level_2_due)
    assert [type(e) for e in events][-3:] == [ProblemEscalated, NoticeIssued, MeetingItemAdded]
    item = events[-1]
    assert isinstance(item, MeetingItemAdded)
    assert (item.level, item.notice_number) == (3, "督办〔2024〕第0002号")
    assert [m.problem_id for m in uow.ladder.meeting_items] == [p.id]


async def test_past_the_county_meetings_clock_a_problem_stays_at_level_3_and_overdue() -> None:
    uow = county()
    p = await assigned(uow)
    await _settle(uow, p.id, PAST_DEADLINE)
    await _settle(uow, p.id, uow.problems.rows[p.id].due_at or PAST_DEADLINE)
    level_3_due = uow.problems.rows[p.id].due_at
    assert level_3_due is not None
    events = await _settle(uow, p.id, level_3_due)
    assert [type(e) for e in events] == [SlaBreached]  # nowhere higher to go
    row = uow.problems.rows[p.id]
    view = await uow.views.problem(row, level_3_due)
    assert (view.level, view.status, view.overdue) == (3, Status.ASSIGNED, True)


async def test_a_red_light_held_through_its_second_month_raises_and_assigns_one_problem() -> None:
    uow = county()
    light = ProjectLight(
        project_id=P1, kind="investment", unit_code="fengcheng", light="red", month="2024-03"
    )
    light.red_since = "2024-03"
    uow.triggers.lights.append(light)
    may_4 = datetime(2024, 5, 4, 0, 0, 1, tzinfo=SH)  # April closed, plus the 3-day grace
    for _ in range(2):  # a second run finds the same episode and raises nothing more
        await run(uow, triggers.detect_red_months, now=may_4, grace_days=3)
        async with uow:
            for t in await uow.triggers.pending(100):
                await triggers.raise_from_trigger(uow=uow, t=t, now=may_4, sla=SLA)
    (raised_,) = uow.events_of(ProblemRaised)
    (assigned_,) = uow.events_of(ProblemAssigned)
    assert (raised_.source, raised_.trigger, raised_.raised_by) == ("system", "red_light", "system")
    assert "2024-03" in raised_.title and raised_.owner_unit == "fengcheng"
    assert (assigned_.problem_id, assigned_.status) == (raised_.problem_id, Status.ASSIGNED)
    assert uow.actions(raised_.problem_id) == ["raise", "assign"]
