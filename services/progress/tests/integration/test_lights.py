"""Lights (R3) published by the lights job only on a change, and the month read APIs that show them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from progress_testkit import YEAR, Published, RegistryFeed, at

from diaodu_testkit.harness import ServiceHarness


def m(n: int) -> str:
    return f"{YEAR}-{n:02d}"


async def post(
    h: ServiceHarness, pid: str, month: int, inv: float, ytd: float, **extra: Any
) -> dict[str, Any]:
    body = {
        "project_id": pid,
        "month": m(month),
        "investment_month": inv,
        "investment_ytd": ytd,
        "investment_cumulative": 5000 + ytd,
        "construction_status": "resumed",
        "stats_registered": True,
        **extra,
    }
    r = await h.client.post("/api/v1/reports", json=body, headers=h.auth("admin"))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def run_lights(h: ServiceHarness) -> None:
    """Run the lights job now (waiting while the scheduler's own run holds its lock)."""
    while not await h.app.state.scheduler.run_now("lights"):
        await asyncio.sleep(0.02)


def changes(events: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((e.data["scope"], e.data["kind"], e.data["previous"], e.data["light"]) for e in events)


@pytest.fixture(scope="module")
async def world(progress: ServiceHarness) -> dict[str, str]:
    """Unit li-a: one project on schedule in March (ytd 600 of 2400 = 25% = 3/12).
    Unit li-b: a project that reported January and February but not March.
    Unit li-c: a new project planned to start in January that has neither started nor reported.
    Unit li-t: 300 done of a 2400 plan, but its unit target (目标任务) is 1200: the unit is on schedule."""
    feed = RegistryFeed(progress)
    ids = {
        "a": feed.project(feed.unit("li-a"), plan="2400"),
        "b": feed.project(feed.unit("li-b"), plan="0"),
        "c": feed.project(feed.unit("li-c"), plan="0", build_type="new", planned_start=at(1, 15).date()),
        "t": feed.project(feed.unit("li-t"), plan="2400"),
    }
    feed.target("li-t", "1200")
    await feed.send()
    progress.app.state.clock.set(at(3, 28))
    for month, inv in ((1, 100), (2, 100), (3, 400)):
        ids[f"a{month}"] = (await post(progress, ids["a"], month, inv, {1: 100, 2: 200, 3: 600}[month]))[
            "report_id"
        ]
    for month in (1, 2):
        await post(progress, ids["b"], month, 0, 0)
    for month in (1, 2, 3):
        await post(progress, ids["t"], month, 100, 100 * month)
    return ids


async def test_lights_are_published_once_and_again_only_when_they_change(
    progress: ServiceHarness, world: dict[str, str], published: Published
) -> None:
    a, c = world["a"], world["c"]
    progress.app.state.clock.set(at(4, 2))  # March closed on the 31st
    await run_lights(progress)
    first = await published.all("light_changed", month=m(3))
    assert changes([e for e in first if e.data["project_id"] == a]) == [
        ("project", "investment", None, "green")
    ]
    assert changes([e for e in first if e.data["project_id"] == c]) == [("project", "start", None, "yellow")]
    units = {e.data["unit_code"]: e.data for e in first if e.data["scope"] == "unit"}
    assert (units["li-a"]["light"], units["li-b"]["light"], units["li-c"]["light"]) == (
        "green",
        "yellow",
        "red",
    )
    assert "1 个月有项目未报" in units["li-b"]["reason"] and units["li-b"]["project_id"] is None
    [a_event] = [e for e in first if e.data["project_id"] == a]
    assert a_event.key == a and a_event.data["gap_points"] == 0.0
    assert [e.key for e in first if e.data["scope"] == "unit" and e.data["unit_code"] == "li-b"] == ["li-b"]

    await run_lights(progress)  # nothing changed: nothing published
    assert len(await published.all("light_changed", month=m(3))) == len(first)

    # March corrected from 400 to 100: ytd 300 of 2400 = 12.5% against 25%: a gap of 12.5 points.
    r = await progress.client.post(
        f"/api/v1/reports/{world['a3']}/revisions",
        headers=progress.auth("admin"),
        json={
            "investment_month": 100,
            "investment_ytd": 300,
            "investment_cumulative": 5300,
            "construction_status": "resumed",
            "stats_registered": True,
            "reason": "重复计算",
        },
    )
    assert r.status_code == 201, r.text
    await run_lights(progress)
    await run_lights(progress)
    after = await published.all("light_changed", month=m(3))
    new = [e for e in after if e.id not in {x.id for x in first}]
    assert changes(new) == [("project", "investment", "green", "yellow"), ("unit", "unit", "green", "yellow")]
    assert {e.data["gap_points"] for e in new} == {12.5}

    stored = await progress.client.get(
        "/api/v1/lights", params={"unit_code": "li-a"}, headers=progress.auth("admin")
    )
    assert {(x["scope"], x["kind"], x["light"]) for x in stored.json()["items"]} == {
        ("project", "investment", "yellow"),
        ("unit", "unit", "yellow"),
    }

    # April also unreported by li-b: two months in a row make its light red.
    progress.app.state.clock.set(at(5, 3))
    await run_lights(progress)
    [red] = await published.all("light_changed", month=m(4), unit_code="li-b", scope="unit")
    assert (red.data["previous"], red.data["light"]) == ("yellow", "red")
    assert "连续 2 个月" in red.data["reason"]


async def test_a_units_month_shows_reports_in_missing_lights_and_totals(
    progress: ServiceHarness, world: dict[str, str]
) -> None:
    """Read views of units li-b and li-t and project t (li-a is revised by the test above)."""
    progress.app.state.clock.set(at(4, 2))
    leader = progress.auth("leader")
    month = (await progress.client.get(f"/api/v1/units/li-b/months/{m(3)}", headers=leader)).json()
    assert (month["required"], month["reports_in"], month["missing_project_ids"]) == (1, 0, [world["b"]])
    assert month["light"]["light"] == "yellow" and month["light"]["kind"] == "unit"

    t = (await progress.client.get(f"/api/v1/units/li-t/months/{m(3)}", headers=leader)).json()
    assert (t["reports_in"], t["required"], t["missing_project_ids"]) == (1, 1, [])
    totals = t["totals"]
    assert (totals["investment_month"], totals["investment_ytd"], totals["annual_plan_investment"]) == (
        100.0,
        300.0,
        2400.0,
    )
    assert (totals["target"], totals["target_source"]) == (1200.0, f"target fixed_asset_investment {YEAR}")
    assert (totals["expected_share"], totals["actual_share"], totals["gap_points"]) == (0.25, 0.25, 0.0)
    assert t["light"]["light"] == "green"
    [line] = t["projects"]["items"]
    assert (line["project_id"], line["revision"], line["investment_ytd"]) == (world["t"], 1, 300.0)
    assert {x["kind"]: (x["light"], x["gap_points"]) for x in line["lights"]} == {
        "investment": ("yellow", 12.5)
    }

    region = (
        await progress.client.get(
            f"/api/v1/region/months/{m(3)}", params={"page_size": 2}, headers=progress.auth("supervisor")
        )
    ).json()
    assert region["units"]["total"] == 4 and len(region["units"]["items"]) == 2
    assert (region["required"], region["missing"]) == (4, 2)  # li-b's and li-c's projects
    assert sum(region["lights"].values()) == 4

    timeline = (
        await progress.client.get(
            f"/api/v1/projects/{world['t']}/timeline", params={"year": YEAR}, headers=progress.auth("admin")
        )
    ).json()
    months = {x["month"]: x for x in timeline["months"]}
    assert list(months) == [m(1), m(2), m(3), m(4)]
    assert months[m(3)]["revisions"] == 1 and months[m(3)]["report"]["investment_ytd"] == 300.0
    assert months[m(3)]["actual_share"] == 0.125 and months[m(3)]["expected_share"] == 0.25
    assert months[m(4)]["report"] is None and months[m(4)]["required"] is True
    assert months[m(1)]["expected_share"] == pytest.approx(1 / 12, abs=1e-4)
