"""发现, 交办 and 办理 on in-memory fakes (R7; SPEC §6): state, refusals and the events emitted."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from escalation_testkit.world import (
    FRIDAY,
    P1,
    P2,
    SH,
    SLA,
    SUPERVISOR,
    assigned,
    county,
    leader,
    raised,
    reporter,
    run,
)

from diaodu_platform.errors import Problem
from escalation.domain.model import Category, Level, Severity, Status
from escalation.events import (
    ProblemAcknowledged,
    ProblemAssigned,
    ProblemPlanFiled,
    ProblemProgressed,
    ProblemRaised,
)
from escalation.service_layer import handling, problems
from escalation.service_layer.commands import (
    AcknowledgeProblem,
    AssignProblem,
    FilePlan,
    RaiseProblem,
    ReportProgress,
)


async def test_a_reporter_raises_a_problem_for_its_own_units_project() -> None:
    uow = county()
    out = await raised(uow)
    assert (out.status, out.level, out.owner_unit, out.raised_unit) == (
        Status.RAISED,
        1,
        "fengcheng",
        "fengcheng",
    )
    assert out.project_name == "凤城镇新材料产业园项目" and out.clocks == []
    (event,) = uow.published
    assert isinstance(event, ProblemRaised)
    assert (event.problem_id, event.source, event.raised_by) == (out.id, "unit", "clerk-fengcheng")
    assert uow.actions(out.id) == ["raise"]


async def test_a_reporter_may_not_raise_a_problem_for_another_units_project() -> None:
    uow = county()
    cmd = RaiseProblem(title="环评批复滞后", category=Category.ENVIRONMENT, project_id=P1)
    with pytest.raises(Problem) as refused:
        await run(uow, problems.raise_problem, cmd=cmd, principal=reporter("beiliu"), now=FRIDAY)
    assert refused.value.status == 403
    assert not uow.committed and uow.published == []


async def test_a_problem_of_an_unregistered_unit_is_refused_naming_the_field() -> None:
    uow = county()
    cmd = RaiseProblem(title="资金缺口", category=Category.FUNDING, unit_code="nowhere")
    with pytest.raises(Problem) as refused:
        await run(uow, problems.raise_problem, cmd=cmd, principal=SUPERVISOR, now=FRIDAY)
    assert refused.value.status == 422
    assert refused.value.ext["errors"][0]["field"] == "unit_code"
    assert uow.published == []


async def test_the_owning_unit_cannot_also_be_a_co_operating_unit() -> None:
    uow = county()
    cmd = RaiseProblem(
        title="征拆未完成", category=Category.DEMOLITION, project_id=P1, co_units=("zrzyj", "fengcheng")
    )
    with pytest.raises(Problem) as refused:
        await run(uow, problems.raise_problem, cmd=cmd, principal=reporter("fengcheng"), now=FRIDAY)
    assert (refused.value.status, refused.value.ext["errors"][0]["field"]) == (422, "co_units.1")


async def test_assigning_starts_the_13710_clocks_on_the_working_day_calendar() -> None:
    uow = county()
    out = await assigned(uow)  # Friday 2024-02-02, before the Spring Festival
    assert (out.status, out.deadline) == (Status.ASSIGNED, date(2024, 2, 18))
    # 1: the same working day; 3: make-up Sunday 02-04 counts; 7: the holiday does not (R7)
    assert {c.kind: c.due_date for c in out.clocks} == {
        "acknowledge": date(2024, 2, 2),
        "progress": date(2024, 2, 6),
        "resolve": date(2024, 2, 18),
    }
    event = uow.events_of(ProblemAssigned)[0]
    assert event.deadline == date(2024, 2, 18)
    assert event.resolve_due_at == datetime(2024, 2, 19, tzinfo=SH)
    assert uow.actions(out.id) == ["raise", "assign"]


async def test_an_assigned_deadline_later_than_13710_allows_is_refused() -> None:
    uow = county()
    p = await raised(uow)
    cmd = AssignProblem(problem_id=p.id, deadline=date(2030, 1, 1))
    with pytest.raises(Problem) as refused:
        await run(uow, problems.assign, cmd=cmd, principal=SUPERVISOR, now=FRIDAY, sla=SLA)
    error = refused.value.ext["errors"][0]
    assert (refused.value.status, error["field"], error["latest"]) == (422, "deadline", "2024-02-18")
    assert uow.events_of(ProblemAssigned) == []


async def test_a_problem_cannot_be_assigned_twice() -> None:
    uow = county()
    p = await assigned(uow)
    with pytest.raises(Problem) as refused:
        await run(
            uow,
            problems.assign,
            cmd=AssignProblem(problem_id=p.id),
            principal=SUPERVISOR,
            now=FRIDAY,
            sla=SLA,
        )
    assert (refused.value.status, refused.value.ext["allowed_from"]) == (409, ["raised"])
    assert len(uow.events_of(ProblemAssigned)) == 1


async def test_acknowledging_meets_the_acknowledge_clock() -> None:
    uow = county()
    p = await assigned(uow)
    out = await run(
        uow,
        handling.acknowledge,
        cmd=AcknowledgeProblem(problem_id=p.id, note="已部署"),
        principal=reporter("fengcheng"),
        now=FRIDAY.replace(hour=15),
    )
    assert out.status == Status.ACKNOWLEDGED
    assert [c.kind for c in out.clocks] == ["progress", "resolve"]
    assert [c.state for c in uow.clocks.of(p.id, state="met")] == ["met"]
    assert uow.events_of(ProblemAcknowledged)[0].acknowledged_by == "clerk-fengcheng"


async def test_only_the_owning_unit_acknowledges_its_problem() -> None:
    uow = county()
    p = await assigned(uow)
    with pytest.raises(Problem) as refused:
        await run(
            uow,
            handling.acknowledge,
            cmd=AcknowledgeProblem(problem_id=p.id),
            principal=reporter("beiliu"),
            now=FRIDAY,
        )
    assert refused.value.status == 403
    assert uow.events_of(ProblemAcknowledged) == []


async def test_progress_before_acknowledging_is_refused_naming_the_allowed_statuses() -> None:
    uow = county()
    p = await assigned(uow)
    cmd = ReportProgress(problem_id=p.id, note="先报进展")
    with pytest.raises(Problem) as refused:
        await run(uow, handling.progress, cmd=cmd, principal=reporter("fengcheng"), now=FRIDAY)
    assert refused.value.status == 409
    assert refused.value.ext["allowed_from"] == ["acknowledged", "in_progress"]


async def test_the_units_leader_may_report_progress_which_meets_the_progress_clock() -> None:
    uow = county()
    p = await assigned(uow)
    await run(
        uow,
        handling.acknowledge,
        cmd=AcknowledgeProblem(problem_id=p.id),
        principal=reporter("fengcheng"),
        now=FRIDAY,
    )
    cmd = ReportProgress(problem_id=p.id, note="已与自然资源局对接")
    out = await run(
        uow, handling.progress, cmd=cmd, principal=leader("leader-li"), now=FRIDAY.replace(hour=16)
    )
    assert out.status == Status.IN_PROGRESS and [c.kind for c in out.clocks] == ["resolve"]
    assert uow.events_of(ProblemProgressed)[0].reported_by == "leader-li"
    assert uow.actions(p.id) == ["raise", "assign", "acknowledge", "progress"]


async def test_only_a_major_problem_files_a_timeline_and_plan() -> None:
    uow = county()
    p = await assigned(uow)
    await run(
        uow,
        handling.acknowledge,
        cmd=AcknowledgeProblem(problem_id=p.id),
        principal=reporter("fengcheng"),
        now=FRIDAY,
    )
    cmd = FilePlan(problem_id=p.id, plan="分三步推进", deadline=date(2024, 6, 30))
    with pytest.raises(Problem) as refused:
        await run(uow, handling.file_plan, cmd=cmd, principal=reporter("fengcheng"), now=FRIDAY, sla=SLA)
    assert refused.value.status == 422 and "major" in refused.value.detail


async def test_a_major_problems_plan_moves_its_resolve_deadline_to_the_plans_date() -> None:
    uow = county()
    p = await assigned(uow, project_id=P2, unit="beiliu", severity=Severity.MAJOR)
    await run(
        uow,
        handling.acknowledge,
        cmd=AcknowledgeProblem(problem_id=p.id),
        principal=reporter("beiliu"),
        now=FRIDAY,
    )
    cmd = FilePlan(problem_id=p.id, plan="征拆补偿分三批拨付", deadline=date(2024, 6, 28))
    out = await run(uow, handling.file_plan, cmd=cmd, principal=reporter("beiliu"), now=FRIDAY, sla=SLA)
    assert (out.status, out.deadline, out.plan, out.level) == (
        Status.IN_PROGRESS,
        date(2024, 6, 28),
        cmd.plan,
        Level.UNIT,
    )
    assert [(c.kind, c.due_date) for c in out.clocks] == [("resolve", date(2024, 6, 28))]
    assert [c.kind for c in uow.clocks.of(p.id, state="cancelled")] == ["resolve"]
    assert uow.events_of(ProblemPlanFiled)[0].deadline == date(2024, 6, 28)
