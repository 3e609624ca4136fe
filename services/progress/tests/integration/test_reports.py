"""Report submission (R4) against the real PostgreSQL and broker: refusals, flags, idempotency,
revisions, reviews, unit returns, and who may post."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from progress_testkit import YEAR, Published, RegistryFeed, at

from diaodu_testkit.harness import ServiceHarness
from progress.events import ReportSubmitted


def m(n: int) -> str:
    return f"{YEAR}-{n:02d}"


def report(
    project_id: str, month: str, *, inv: float, ytd: float, cum: float, status: str = "resumed", **extra: Any
) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "month": month,
        "investment_month": inv,
        "investment_ytd": ytd,
        "investment_cumulative": cum,
        "construction_status": status,
        **extra,
    }


async def post(
    h: ServiceHarness,
    body: dict[str, Any],
    *,
    unit: str | None = None,
    key: str | None = None,
    expect: int = 201,
) -> dict[str, Any]:
    headers = h.auth("reporter", unit=unit) if unit else h.auth("admin")
    if key:
        headers["Idempotency-Key"] = key
    r = await h.client.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == expect, r.text
    out: dict[str, Any] = r.json()
    return out


async def history(h: ServiceHarness, pid: str, months: int, *, each: float = 100) -> None:
    """Reports for January..`months`, `each` 万元 a month."""
    for n in range(1, months + 1):
        await post(h, report(pid, m(n), inv=each, ytd=each * n, cum=1000 + each * n))


async def test_valid_report_is_created_and_report_submitted_carries_the_figures(
    progress: ServiceHarness, feed: RegistryFeed, published: Published
) -> None:
    unit = feed.unit("valid")
    pid = feed.project(unit, total="50000", plan="6000")
    await feed.send()
    progress.app.state.clock.set(at(1, 15))
    body = report(
        pid,
        m(1),
        inv=420.5,
        ytd=420.5,
        cum=8420.5,
        status="resumed",
        actual_start_date=f"{YEAR - 1}-03-01",
        procedures=[{"item": "land", "state": "done", "date": f"{YEAR - 1}-01-05"}],
        stats_registered=True,
        stats_registered_on=f"{YEAR - 1}-05-01",
        signed_amount=30000,
        funds_in_place=12000.25,
        narrative="主体结构施工至三层",
        attachments=["https://files.example/1.jpg"],
    )
    out = await post(progress, body, unit=unit)
    assert out["revision"] == 1 and out["flags"] == [] and out["late"] is False
    [ev] = await published.all("report_submitted", project_id=pid)
    d = ev.data
    assert ev.key == pid
    assert ReportSubmitted.model_validate(d).investment_month == Decimal("420.5")  # the contract holds
    assert (d["report_id"], d["unit_code"], d["month"], d["revision"]) == (out["report_id"], unit, m(1), 1)
    assert (d["investment_month"], d["investment_ytd"], d["investment_cumulative"]) == (420.5, 420.5, 8420.5)
    assert (d["signed_amount"], d["funds_in_place"]) == (30000.0, 12000.25)
    assert d["construction_status"] == "resumed" and d["actual_start_date"] == f"{YEAR - 1}-03-01"
    assert d["stats_registered"] is True and d["stats_registered_on"] == f"{YEAR - 1}-05-01"
    assert d["procedures"] == [{"item": "land", "state": "done", "date": f"{YEAR - 1}-01-05"}]
    assert d["submitted_by"] == "test-reporter" and d["late"] is False and d["flags"] == []
    assert d["narrative"] == "主体结构施工至三层" and d["attachments"] == ["https://files.example/1.jpg"]


@pytest.fixture(scope="module")
async def chain(progress: ServiceHarness) -> str:
    """A project with a January report of ytd 100, for the refusal cases."""
    feed = RegistryFeed(progress)
    pid = feed.project(feed.unit("refuse"))
    await feed.send()
    progress.app.state.clock.set(at(3, 10))
    await post(progress, report(pid, m(1), inv=100, ytd=100, cum=1100))
    return pid


REFUSALS = [
    (
        "unregistered_project",
        lambda pid: report("no-such-project", m(2), inv=1, ytd=101, cum=1101),
        "project_id",
        {"project_id": "no-such-project"},
    ),
    (
        "future_month",
        lambda pid: report(pid, m(4), inv=1, ytd=101, cum=1101),
        "month",
        {"month": m(4), "current_month": m(3)},
    ),
    (
        "negative_figure",
        lambda pid: report(pid, m(2), inv=-5, ytd=95, cum=1095),
        "investment_month",
        {"value": -5.0},
    ),
    (
        "ytd_mismatch",
        lambda pid: report(pid, m(2), inv=50, ytd=200, cum=1200),
        "investment_ytd",
        {
            "previous_month": m(1),
            "previous_ytd": 100.0,
            "investment_month": 50.0,
            "expected_ytd": 150.0,
            "investment_ytd": 200.0,
        },
    ),
    (
        "cumulative_below_ytd",
        lambda pid: report(pid, m(2), inv=50, ytd=150, cum=120),
        "investment_cumulative",
        {"investment_cumulative": 120.0, "investment_ytd": 150.0},
    ),
    (
        "started_without_date",
        lambda pid: report(pid, m(2), inv=50, ytd=150, cum=1150, status="started"),
        "actual_start_date",
        {"construction_status": "started"},
    ),
]


@pytest.mark.parametrize(("rule", "make", "field", "numbers"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_each_r4_refusal_is_422_naming_the_rule_and_the_numbers(
    progress: ServiceHarness, chain: str, rule: str, make: Any, field: str, numbers: dict[str, Any]
) -> None:
    progress.app.state.clock.set(at(3, 10))
    r = await progress.client.post("/api/v1/reports", json=make(chain), headers=progress.auth("admin"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"] == "/problems/report-refused" and rule in problem["detail"]
    [error] = problem["errors"]
    assert error["rule"] == rule and error["field"] == field and error["message"]
    assert {k: error[k] for k in numbers} == numbers
    listed = await progress.client.get(
        f"/api/v1/reports?project_id={chain}&month={m(2)}", headers=progress.auth("admin")
    )
    assert listed.json()["total"] == 0  # nothing was saved


FLAGS = [
    (
        "over_budget",
        {"total": "1000"},
        (0, at(1, 10)),
        report("", m(1), inv=300, ytd=300, cum=1200),
        {"total_investment": 1000.0, "investment_cumulative": 1200.0, "over_by": 200.0},
    ),
    (
        "investment_while_not_started",
        {},
        (0, at(1, 10)),
        report("", m(1), inv=50, ytd=50, cum=50, status="not_started"),
        {"investment_month": 50.0, "construction_status": "not_started"},
    ),
    (
        "outlier_month",
        {},
        (3, at(4, 10)),
        report("", m(4), inv=400, ytd=700, cum=1700),
        {"investment_month": 400.0, "median_month": 100.0, "factor": 3.0, "months_in_median": 3},
    ),
    (
        "pre_scoring_jump",
        {},
        (5, at(6, 22)),  # three days before the scoring day (25th)
        report("", m(6), inv=250, ytd=750, cum=1750),
        {
            "investment_month": 250.0,
            "median_month": 100.0,
            "scoring_day": f"{YEAR}-06-25",
            "submitted_on": f"{YEAR}-06-22",
        },
    ),
]


@pytest.mark.parametrize(("rule", "project", "months", "body", "figures"), FLAGS, ids=[f[0] for f in FLAGS])
async def test_each_r4_flag_accepts_the_report_and_emits_anomaly_flagged(
    progress: ServiceHarness,
    feed: RegistryFeed,
    published: Published,
    rule: str,
    project: dict[str, Any],
    months: tuple[int, datetime],
    body: dict[str, Any],
    figures: dict[str, Any],
) -> None:
    """`months` of steady history (100 万元 a month) precede the report, submitted at the given time."""
    unit = feed.unit(f"flag-{rule[:12]}")
    pid = feed.project(unit, **project)
    await feed.send()
    count, when = months
    progress.app.state.clock.set(when)
    await history(progress, pid, count)
    out = await post(progress, {**body, "project_id": pid}, unit=unit)
    assert out["flags"] == [rule]
    [brief] = out["anomalies"]
    [ev] = await published.all("anomaly_flagged", project_id=pid)
    d = ev.data
    assert (d["rule"], d["anomaly_id"], d["report_id"], d["unit_code"]) == (
        rule,
        brief["anomaly_id"],
        out["report_id"],
        unit,
    )
    assert {k: d["figures"][k] for k in figures} == figures and d["detail"]
    [submitted] = await published.all("report_submitted", report_id=out["report_id"])
    assert submitted.data["flags"] == [rule]
    listed = await progress.client.get(
        f"/api/v1/anomalies?project_id={pid}&status=open", headers=progress.auth("supervisor")
    )
    assert [a["rule"] for a in listed.json()["items"]] == [rule]


async def test_a_plain_month_after_steady_history_is_not_flagged(
    progress: ServiceHarness, feed: RegistryFeed
) -> None:
    pid = feed.project(feed.unit("steady"))
    await feed.send()
    progress.app.state.clock.set(at(6, 22))
    await history(progress, pid, 5)
    out = await post(progress, report(pid, m(6), inv=150, ytd=650, cum=1650))
    assert out["flags"] == []


async def test_same_idempotency_key_twice_gives_one_report(
    progress: ServiceHarness, feed: RegistryFeed, published: Published
) -> None:
    unit = feed.unit("idem")
    pid = feed.project(unit)
    await feed.send()
    progress.app.state.clock.set(at(2, 10))
    key = str(uuid.uuid4())
    body = report(pid, m(1), inv=80, ytd=80, cum=880)
    first = await post(progress, body, unit=unit, key=key)
    headers = {**progress.auth("reporter", unit=unit), "Idempotency-Key": key}
    again = await progress.client.post("/api/v1/reports", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first
    listed = await progress.client.get(f"/api/v1/reports?project_id={pid}", headers=progress.auth("admin"))
    assert listed.json()["total"] == 1
    assert len(await published.all("report_submitted", project_id=pid)) == 1
    # Without the key, a second submission of the month is a conflict that points to revisions.
    dup = await progress.client.post(
        "/api/v1/reports", json=body, headers=progress.auth("reporter", unit=unit)
    )
    assert dup.status_code == 409 and dup.json()["report_id"] == first["report_id"]


async def test_a_revision_keeps_both_versions_and_is_late_after_the_month_closed(
    progress: ServiceHarness, feed: RegistryFeed, published: Published
) -> None:
    unit = feed.unit("revise")
    pid = feed.project(unit)
    await feed.send()
    clock = progress.app.state.clock
    clock.set(at(1, 20))
    first = await post(progress, report(pid, m(1), inv=80, ytd=80, cum=880), unit=unit)
    rid = first["report_id"]
    headers = {**progress.auth("reporter", unit=unit), "Idempotency-Key": str(uuid.uuid4())}
    fix = {
        "investment_month": 90,
        "investment_ytd": 90,
        "investment_cumulative": 890,
        "construction_status": "resumed",
        "reason": "统计口径更正",
    }
    r = await progress.client.post(f"/api/v1/reports/{rid}/revisions", json=fix, headers=headers)
    assert r.status_code == 201, r.text
    assert (r.json()["revision"], r.json()["late"], r.json()["reason"]) == (2, False, "统计口径更正")
    again = await progress.client.post(f"/api/v1/reports/{rid}/revisions", json=fix, headers=headers)
    assert again.status_code == 201 and again.json()["revision"] == 2  # replayed, not a third revision
    clock.set(at(2, 3))  # January closed on its last day
    late = await progress.client.post(
        f"/api/v1/reports/{rid}/revisions",
        headers=progress.auth("admin"),
        json={**fix, "investment_month": 95, "investment_ytd": 95, "reason": "审计调整"},
    )
    assert late.status_code == 201 and late.json()["late"] is True and late.json()["revision"] == 3
    hist = (await progress.client.get(f"/api/v1/reports/{rid}", headers=progress.auth("leader"))).json()
    assert [x["revision"] for x in hist["revisions"]] == [3, 2, 1]
    assert hist["current"]["investment_month"] == 95.0
    assert hist["revisions"][-1]["investment_month"] == 80.0 and hist["revisions"][-1]["reason"] is None
    revised = await published.all("report_revised", report_id=rid)
    assert [
        (e.data["revision"], e.data["previous_revision"], e.data["reason"], e.data["late"]) for e in revised
    ] == [(2, 1, "统计口径更正", False), (3, 2, "审计调整", True)]
    assert revised[0].data["investment_month"] == 90.0


async def test_reporters_post_only_for_their_own_units_projects(
    progress: ServiceHarness, feed: RegistryFeed
) -> None:
    mine, other = feed.unit("mine"), feed.unit("other")
    pid = feed.project(other)
    await feed.send()
    progress.app.state.clock.set(at(1, 15))
    body = report(pid, m(1), inv=10, ytd=10, cum=10)
    denied = await post(progress, body, unit=mine, expect=403)
    assert denied["type"] == "/problems/forbidden" and other in denied["detail"]
    leader = await progress.client.post("/api/v1/reports", json=body, headers=progress.auth("leader"))
    assert leader.status_code == 403
    await post(progress, body, unit=other)


async def test_a_flag_is_reviewed_once_and_the_review_is_an_event(
    progress: ServiceHarness, feed: RegistryFeed, published: Published
) -> None:
    pid = feed.project(feed.unit("review"), total="100")
    await feed.send()
    progress.app.state.clock.set(at(2, 10))
    out = await post(progress, report(pid, m(1), inv=150, ytd=150, cum=150))
    anomaly_id = out["anomalies"][0]["anomaly_id"]
    url = f"/api/v1/anomalies/{anomaly_id}/review"
    denied = await progress.client.post(
        url, json={"status": "dismissed"}, headers=progress.auth("reporter", unit="review")
    )
    assert denied.status_code == 403
    r = await progress.client.post(
        url, json={"status": "dismissed", "note": "追加投资已批复"}, headers=progress.auth("supervisor")
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "dismissed"
        and r.json()["reviewed_by"] == "test-supervisor"
    )
    twice = await progress.client.post(url, json={"status": "confirmed"}, headers=progress.auth("admin"))
    assert twice.status_code == 409 and twice.json()["review_status"] == "dismissed"
    [ev] = await published.all("anomaly_reviewed", anomaly_id=anomaly_id)
    assert (ev.data["status"], ev.data["rule"], ev.data["note"]) == (
        "dismissed",
        "over_budget",
        "追加投资已批复",
    )


async def test_unit_return_lists_new_above_size_enterprises_and_is_an_event(
    progress: ServiceHarness, feed: RegistryFeed, published: Published
) -> None:
    unit = feed.unit("returns")
    feed.project(unit)
    await feed.send()
    progress.app.state.clock.set(at(3, 5))
    body = {
        "unit_code": unit,
        "month": m(2),
        "above_size_enterprises": [{"name": "阳城县晋发建材有限公司", "date": f"{YEAR}-02-14"}],
    }
    headers = {**progress.auth("reporter", unit=unit), "Idempotency-Key": "return-1"}
    r = await progress.client.post("/api/v1/unit-returns", json=body, headers=headers)
    assert r.status_code == 201 and r.json()["revision"] == 1 and r.json()["late"] is True
    assert (await progress.client.post("/api/v1/unit-returns", json=body, headers=headers)).json()[
        "revision"
    ] == 1
    wrong = await progress.client.post(
        "/api/v1/unit-returns",
        headers=progress.auth("admin"),
        json={**body, "above_size_enterprises": [{"name": "x", "date": f"{YEAR}-03-02"}]},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["rule"] == "date_after_month"
    other = await progress.client.post(
        "/api/v1/unit-returns", json=body, headers=progress.auth("reporter", unit="valid")
    )
    assert other.status_code == 403
    [ev] = await published.all("unit_return_submitted", unit_code=unit)
    assert ev.key == unit
    assert ev.data["above_size_enterprises"] == [{"name": "阳城县晋发建材有限公司", "date": f"{YEAR}-02-14"}]
    assert (ev.data["month"], ev.data["revision"]) == (m(2), 1)


async def test_concurrent_submissions_make_one_report(
    progress: ServiceHarness, feed: RegistryFeed, published: Published
) -> None:
    unit = feed.unit("race")
    same_key, other_keys = feed.project(unit), feed.project(unit)
    await feed.send()
    progress.app.state.clock.set(at(2, 10))
    headers = {**progress.auth("reporter", unit=unit), "Idempotency-Key": "race-1"}
    body = report(same_key, m(1), inv=70, ytd=70, cum=70)
    answers = await asyncio.gather(
        *(progress.client.post("/api/v1/reports", json=body, headers=headers) for _ in range(6))
    )
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["report_id"] for r in answers}) == 1
    reused = await progress.client.post(
        "/api/v1/reports", json={**body, "investment_month": 71, "investment_ytd": 71}, headers=headers
    )
    assert reused.status_code == 422 and reused.json()["type"] == "/problems/idempotency-key-reused"

    body = report(other_keys, m(1), inv=70, ytd=70, cum=70)
    answers = await asyncio.gather(
        *(
            progress.client.post(
                "/api/v1/reports", json=body, headers={**headers, "Idempotency-Key": f"k{i}"}
            )
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409, 409, 409]
    for pid in (same_key, other_keys):
        assert len(await published.all("report_submitted", project_id=pid)) == 1
