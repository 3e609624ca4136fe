"""Report commands (R4) on the in-memory unit of work: what is stored, what is refused, what is emitted."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from progress_testkit.builders import ADMIN, on, reporter, revise, run, submit, world
from progress_testkit.fakes import FakeProgressUnitOfWork

from diaodu_platform.auth import Principal
from diaodu_platform.errors import Problem
from diaodu_platform.idempotency import IdempotencyRequest, Outcome
from progress.domain.model import Month
from progress.events import AnomalyFlagged, ReportRevised, ReportSubmitted
from progress.service_layer.commands import ReviseReport, SubmitReport
from progress.service_layer.reports import revise_report, submit_report

CLERK = reporter("fc")


def key(k: str, body: Any) -> IdempotencyRequest:
    req = IdempotencyRequest.of(principal=CLERK.sub, key=k, route="POST /api/v1/reports", body=body)
    assert req is not None
    return req


async def submitted(
    uow: FakeProgressUnitOfWork,
    cmd: SubmitReport,
    at: datetime,
    by: Principal = ADMIN,
    idem: IdempotencyRequest | None = None,
) -> Outcome:
    out: Outcome = await run(uow, submit_report, cmd=cmd, now=at, principal=by, idem=idem)
    return out


async def revised(
    uow: FakeProgressUnitOfWork, cmd: ReviseReport, at: datetime, by: Principal = ADMIN
) -> Outcome:
    out: Outcome = await run(uow, revise_report, cmd=cmd, now=at, principal=by)
    return out


async def refusal(uow: FakeProgressUnitOfWork, cmd: SubmitReport | ReviseReport, at: datetime) -> Problem:
    """The problem a command is refused with (nothing is written)."""
    handler = submit_report if isinstance(cmd, SubmitReport) else revise_report
    with pytest.raises(Problem) as refused:
        await run(uow, handler, cmd=cmd, now=at, principal=ADMIN)
    return refused.value


async def test_a_valid_report_is_stored_and_report_submitted_carries_its_figures() -> None:
    uow = world(("p1", "fc", "10000"))
    out = await submitted(uow, submit("p1", 1, "420.5", "420.5", "8420.5"), on(1, 15), CLERK)
    assert (out.status, out.replayed, out.body["revision"], out.body["late"]) == (201, False, 1, False)
    assert out.body["flags"] == [] and out.body["anomalies"] == []
    [row] = uow.reports.rows
    assert (row["unit_code"], row["month"], row["investment_ytd"]) == ("fc", "2027-01", Decimal("420.5"))
    [event] = uow.events_of(ReportSubmitted)
    assert event.report_id == out.body["report_id"] and event.investment_month == Decimal("420.5")
    assert event.submitted_by == "clerk-fc" and uow.committed


async def test_a_report_for_an_unregistered_project_in_a_future_month_names_both_rules() -> None:
    uow = world()
    problem = await refusal(uow, submit("nowhere", 5, "1", "1", "1"), on(3, 10))
    assert problem.status == 422 and problem.type == "/problems/report-refused"
    assert [e["rule"] for e in problem.ext["errors"]] == ["unregistered_project", "future_month"]
    assert uow.reports.rows == [] and uow.published == []


async def test_a_ytd_that_does_not_follow_last_month_is_refused_with_the_numbers() -> None:
    uow = world(("p1", "fc", "10000"))
    await submitted(uow, submit("p1", 1, "100", "100", "1100"), on(3, 10))
    [error] = (await refusal(uow, submit("p1", 2, "50", "200", "1200"), on(3, 10))).ext["errors"]
    assert (error["rule"], error["field"]) == ("ytd_mismatch", "investment_ytd")
    assert (error["previous_ytd"], error["expected_ytd"], error["investment_ytd"]) == (100.0, 150.0, 200.0)
    assert len(uow.reports.rows) == 1 and len(uow.events_of(ReportSubmitted)) == 1


async def test_started_without_a_start_date_is_refused() -> None:
    problem = await refusal(
        world(("p1", "fc", "1")), submit("p1", 1, "1", "1", "1", status="started"), on(1, 20)
    )
    assert [e["rule"] for e in problem.ext["errors"]] == ["started_without_date"]


async def test_cumulative_above_the_total_investment_is_accepted_and_flagged_over_budget() -> None:
    uow = world(("p1", "fc", "1000"))
    out = await submitted(uow, submit("p1", 1, "300", "300", "1200"), on(1, 10))
    assert out.status == 201 and out.body["flags"] == ["over_budget"]
    [flag] = uow.events_of(AnomalyFlagged)
    assert (flag.rule.value, flag.report_id, flag.figures["over_by"]) == (
        "over_budget",
        out.body["report_id"],
        200.0,
    )
    [brief] = out.body["anomalies"]
    assert brief == {"anomaly_id": flag.anomaly_id, "rule": "over_budget", "detail": flag.detail}
    assert uow.anomalies.records[flag.anomaly_id].status == "open"


async def test_investment_while_not_started_is_flagged_not_refused() -> None:
    uow = world(("p1", "fc", "10000"))
    out = await submitted(uow, submit("p1", 1, "50", "50", "50", status="not_started"), on(1, 10))
    assert out.body["flags"] == ["investment_while_not_started"]
    assert [e.rule.value for e in uow.events_of(AnomalyFlagged)] == ["investment_while_not_started"]


async def test_a_second_report_for_the_same_month_is_a_conflict_pointing_to_revisions() -> None:
    uow = world(("p1", "fc", "10000"))
    first = await submitted(uow, submit("p1", 1, "80", "80", "880"), on(2, 10))
    problem = await refusal(uow, submit("p1", 1, "80", "80", "880"), on(2, 10))
    assert problem.status == 409 and problem.ext["report_id"] == first.body["report_id"]
    assert "/revisions" in problem.detail and len(uow.reports.rows) == 1


async def test_a_reporter_cannot_report_for_another_units_project() -> None:
    uow = world(("p1", "other", "10000"))
    with pytest.raises(Problem) as denied:
        await submitted(uow, submit("p1", 1, "10", "10", "10"), on(1, 15), reporter("mine"))
    assert denied.value.status == 403 and "other" in denied.value.detail
    assert uow.reports.rows == [] and uow.published == []


async def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer_and_changes_nothing() -> None:
    uow = world(("p1", "fc", "10000"))
    cmd, idem = submit("p1", 1, "80", "80", "880"), key("k-1", {"month": "2027-01"})
    first = await submitted(uow, cmd, on(2, 10), CLERK, idem)
    again = await submitted(uow, cmd, on(2, 10), CLERK, idem)
    assert again.replayed and (again.status, again.body) == (first.status, first.body)
    assert len(uow.reports.rows) == 1 and len(uow.events_of(ReportSubmitted)) == 1


async def test_a_request_that_loses_the_race_for_its_key_answers_as_the_winner_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uow = world(("p1", "fc", "10000"))
    cmd, idem = submit("p1", 1, "80", "80", "880"), key("k-1", {"month": "2027-01"})
    context = await uow.reports.context("p1", Month(2027, 1))
    assert context is not None
    first = await submitted(uow, cmd, on(2, 10), CLERK, idem)

    async def read_before_the_winner_wrote(*_: Any) -> Any:
        return dataclasses.replace(context, key_used=False)

    monkeypatch.setattr(uow.reports, "context", read_before_the_winner_wrote)
    loser = await submitted(uow, cmd, on(2, 10), CLERK, idem)
    assert loser.replayed and loser.body == first.body
    assert len(uow.reports.rows) == 1 and len(uow.events_of(ReportSubmitted)) == 1


async def test_an_idempotency_key_reused_for_another_report_is_refused() -> None:
    uow = world(("p1", "fc", "10000"), ("p2", "fc", "10000"))
    await submitted(uow, submit("p1", 1, "80", "80", "880"), on(2, 10), CLERK, key("k", 1))
    with pytest.raises(Problem) as reused:
        await submitted(uow, submit("p2", 1, "70", "70", "70"), on(2, 10), CLERK, key("k", 2))
    assert reused.value.status == 422 and reused.value.type == "/problems/idempotency-key-reused"
    assert len(uow.reports.rows) == 1


async def test_a_revision_keeps_the_original_and_report_revised_carries_the_reason() -> None:
    uow = world(("p1", "fc", "10000"))
    first = await submitted(uow, submit("p1", 1, "80", "80", "880"), on(1, 20), CLERK)
    fixed = await revised(
        uow, revise(first.body["report_id"], "统计口径更正", "90", "90", "890"), on(1, 25), CLERK
    )
    assert (fixed.body["revision"], fixed.body["reason"], fixed.body["late"]) == (2, "统计口径更正", False)
    assert [(r["revision"], r["investment_month"]) for r in uow.reports.rows] == [(1, 80), (2, 90)]
    [event] = uow.events_of(ReportRevised)
    assert (event.revision, event.previous_revision, event.reason) == (2, 1, "统计口径更正")


async def test_a_revision_after_the_month_closed_is_late() -> None:
    uow = world(("p1", "fc", "10000"))
    first = await submitted(uow, submit("p1", 1, "80", "80", "880"), on(1, 20))
    late = await revised(uow, revise(first.body["report_id"], "审计调整", "95", "95", "895"), on(2, 3))
    assert late.body["late"] is True and late.body["revision"] == 2
    assert uow.events_of(ReportRevised)[0].late is True


async def test_a_revision_is_judged_like_a_report() -> None:
    uow = world(("p1", "fc", "10000"))
    first = await submitted(uow, submit("p1", 1, "80", "80", "880"), on(1, 20))
    problem = await refusal(uow, revise(first.body["report_id"], "x", "-5", "-5", "875"), on(1, 21))
    assert {e["rule"] for e in problem.ext["errors"]} == {"negative_figure"}
    assert len(uow.reports.rows) == 1 and uow.events_of(ReportRevised) == []


async def test_revising_an_unknown_report_is_not_found() -> None:
    problem = await refusal(world(("p1", "fc", "1")), revise("no-such", "x", "1", "1", "1"), on(1, 21))
    assert problem.status == 404
