"""销号, reopening and the 督查室's 督办函 by hand on in-memory fakes (R8): state, refusals and events."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from escalation_testkit.world import SH, SLA, SUPERVISOR, assigned, county, leader, raised, reporter, run

from diaodu_platform.errors import Problem
from escalation.domain.model import Level, Status
from escalation.events import NoticeIssued, ProblemReopened, ProblemResolved
from escalation.service_layer import closing, notices
from escalation.service_layer.commands import IssueNotice, ReopenProblem, ResolveProblem

MONDAY = datetime(2024, 2, 5, 9, tzinfo=SH)


async def test_the_owning_unit_closes_its_problem_at_level_1_with_a_resolution_note() -> None:
    uow = county()
    p = await assigned(uow)
    cmd = ResolveProblem(problem_id=p.id, resolution="用地指标已调整到位")
    out = await run(uow, closing.resolve, cmd=cmd, principal=reporter("fengcheng"), now=MONDAY)
    assert (out.status, out.resolution, out.resolved_at, out.clocks) == (
        Status.RESOLVED,
        cmd.resolution,
        MONDAY,
        [],
    )
    assert {(c.kind, c.state) for c in uow.clocks.of(p.id)} == {
        ("acknowledge", "cancelled"),
        ("progress", "cancelled"),
        ("resolve", "met"),
    }
    assert uow.events_of(ProblemResolved)[0].resolution == cmd.resolution


async def test_a_leader_may_not_close_a_problem_held_by_the_county_meeting() -> None:
    uow = county()
    p = await assigned(uow)
    uow.problems.rows[p.id].level = Level.COUNTY_MEETING
    cmd = ResolveProblem(problem_id=p.id, resolution="已解决")
    with pytest.raises(Problem) as refused:
        await run(uow, closing.resolve, cmd=cmd, principal=leader("leader-li"), now=MONDAY)
    assert refused.value.status == 403 and "督查室" in refused.value.detail
    out = await run(uow, closing.resolve, cmd=cmd, principal=SUPERVISOR, now=MONDAY)
    assert out.status == Status.RESOLVED


async def test_a_closed_problem_is_not_closed_twice() -> None:
    uow = county()
    p = await assigned(uow)
    cmd = ResolveProblem(problem_id=p.id, resolution="已解决")
    await run(uow, closing.resolve, cmd=cmd, principal=reporter("fengcheng"), now=MONDAY)
    with pytest.raises(Problem) as refused:
        await run(uow, closing.resolve, cmd=cmd, principal=reporter("fengcheng"), now=MONDAY)
    assert (refused.value.status, refused.value.ext["current_status"]) == (409, "resolved")
    assert len(uow.events_of(ProblemResolved)) == 1


async def test_reopening_a_closed_problem_restarts_its_clocks_at_its_level() -> None:
    uow = county()
    p = await assigned(uow)
    await run(
        uow,
        closing.resolve,
        cmd=ResolveProblem(problem_id=p.id, resolution="已解决"),
        principal=reporter("fengcheng"),
        now=MONDAY,
    )
    cmd = ReopenProblem(problem_id=p.id, reason="用地指标仍未落实")
    out = await run(uow, closing.reopen, cmd=cmd, principal=SUPERVISOR, now=MONDAY, sla=SLA)
    assert (out.status, out.level, out.resolution, out.deadline) == (
        Status.REOPENED,
        1,
        None,
        date(2024, 2, 20),
    )
    assert {c.kind for c in out.clocks} == {"acknowledge", "progress", "resolve"}
    assert uow.problems.rows[p.id].cycle == 2
    assert uow.events_of(ProblemReopened)[0].deadline == date(2024, 2, 20)
    assert uow.actions(p.id) == ["raise", "assign", "resolve", "reopen"]


async def test_a_unit_that_neither_raised_nor_owns_a_problem_may_not_reopen_it() -> None:
    uow = county()
    p = await assigned(uow)
    await run(
        uow,
        closing.resolve,
        cmd=ResolveProblem(problem_id=p.id, resolution="已解决"),
        principal=reporter("fengcheng"),
        now=MONDAY,
    )
    cmd = ReopenProblem(problem_id=p.id, reason="还没好")
    with pytest.raises(Problem) as refused:
        await run(uow, closing.reopen, cmd=cmd, principal=reporter("beiliu"), now=MONDAY, sla=SLA)
    assert refused.value.status == 403
    assert uow.events_of(ProblemReopened) == []


async def test_a_notice_by_hand_is_numbered_for_the_year_and_carries_the_history() -> None:
    uow = county()
    p = await assigned(uow)
    cmd = IssueNotice(problem_id=p.id, note="请加快办理")
    first = await run(uow, notices.notice_by_hand, cmd=cmd, principal=SUPERVISOR, now=MONDAY)
    second = await run(uow, notices.notice_by_hand, cmd=cmd, principal=SUPERVISOR, now=MONDAY)
    assert (first.number, second.number) == ("督办〔2024〕第0001号", "督办〔2024〕第0002号")
    assert (first.reason, first.deadline, first.level) == ("manual", date(2024, 2, 18), 1)
    event = uow.events_of(NoticeIssued)[0]
    assert [h.action for h in event.history] == ["raise", "assign", "issue_notice"]
    assert uow.problems.rows[p.id].level == 1  # a notice by hand does not escalate


async def test_a_notice_on_an_unassigned_problem_needs_a_deadline() -> None:
    uow = county()
    p = await raised(uow)
    with pytest.raises(Problem) as refused:
        await run(
            uow, notices.notice_by_hand, cmd=IssueNotice(problem_id=p.id), principal=SUPERVISOR, now=MONDAY
        )
    assert (refused.value.status, refused.value.ext["errors"][0]["field"]) == (422, "deadline")
    assert uow.notices.rows == []
