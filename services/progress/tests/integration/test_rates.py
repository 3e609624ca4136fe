"""R6 rates of a small fixture region, against values computed by hand.

Unit ra-1 (period 1 Jan – 31 Mar):
  c1 continuing, resumed, 入统          c2 continuing, suspended          c3 continuing, never reported
  n1 new, planned 1 Feb, started 10 Feb, not 入统; procedures done, done, in progress, not required
  n2 new, planned 1 Mar, not started; procedures done, required
  n3 new, planned 1 Sep (outside the period), started early on 5 Mar, not 入统
Unit ra-2:
  d1 continuing, resumed, 入统          m1 new, planned 15 Jan, started 20 Jan, 入统 on 1 Feb

ra-1: 复工率 1/3; 新建开工率 1/2 (n1 of n1, n2); 开复工率 (1 + 1)/(2 + 3) = 2/5;
      手续办结率 (2 + 1)/(3 + 2) = 3/5; 入统率 1/3 (c1 of c1, n1, n3).
ra-2: 1/1, 1/1, 2/2, none required (0/0), 2/2.
region: 2/4, 2/3, 4/7, 3/5, 3/5.
"""

from __future__ import annotations

from typing import Any

from progress_testkit import YEAR, RegistryFeed, at

from diaodu_testkit.harness import ServiceHarness

MARCH = f"{YEAR}-03"


def _d(month: int, day: int) -> str:
    return f"{YEAR}-{month:02d}-{day:02d}"


async def _report(h: ServiceHarness, pid: str, status: str, **extra: Any) -> None:
    body = {
        "project_id": pid,
        "month": MARCH,
        "investment_month": 0 if status == "not_started" else 50,
        "investment_ytd": 0 if status == "not_started" else 50,
        "investment_cumulative": 500,
        "construction_status": status,
        **extra,
    }
    r = await h.client.post("/api/v1/reports", json=body, headers=h.auth("admin"))
    assert r.status_code == 201, r.text


def _rates(body: dict[str, Any]) -> dict[str, tuple[int, int, float | None]]:
    return {r["name"]: (r["numerator"], r["denominator"], r["value"]) for r in body["rates"]}


async def test_r6_rates_of_a_fixture_region_match_hand_computed_values(
    progress: ServiceHarness, feed: RegistryFeed
) -> None:
    one, two = feed.unit("ra-1"), feed.unit("ra-2")
    c1, c2, _c3 = feed.project(one), feed.project(one), feed.project(one)
    n1 = feed.project(one, build_type="new", planned_start=at(2, 1).date())
    n2 = feed.project(one, build_type="new", stage="preliminary", planned_start=at(3, 1).date())
    n3 = feed.project(one, build_type="new", planned_start=at(9, 1).date())
    d1 = feed.project(two)
    m1 = feed.project(two, build_type="new", planned_start=at(1, 15).date())
    feed.project(two, stage="cancelled")  # left out of every rate
    await feed.send()
    h = progress
    h.app.state.clock.set(at(4, 10))
    await _report(h, c1, "resumed", stats_registered=True)
    await _report(h, c2, "suspended")
    await _report(
        h,
        n1,
        "started",
        actual_start_date=_d(2, 10),
        procedures=[
            {"item": "approval", "state": "done"},
            {"item": "land", "state": "done"},
            {"item": "planning", "state": "in_progress"},
            {"item": "eia", "state": "not_required"},
        ],
    )
    await _report(
        h,
        n2,
        "not_started",
        procedures=[{"item": "approval", "state": "done"}, {"item": "land", "state": "required"}],
    )
    await _report(h, n3, "started", actual_start_date=_d(3, 5))
    await _report(h, d1, "resumed", stats_registered=True)
    await _report(
        h, m1, "started", actual_start_date=_d(1, 20), stats_registered=True, stats_registered_on=_d(2, 1)
    )
    admin = h.auth("admin")
    at_march_end = {"at": _d(3, 31)}

    r1 = (
        await h.client.get("/api/v1/rates", params={**at_march_end, "unit_code": one}, headers=admin)
    ).json()
    assert _rates(r1) == {
        "restart_rate": (1, 3, 0.3333),
        "new_start_rate": (1, 2, 0.5),
        "start_rate": (2, 5, 0.4),
        "procedure_completion_rate": (3, 5, 0.6),
        "stats_rate": (1, 3, 0.3333),
    }
    assert (r1["scope"], r1["projects"], r1["period_start"]) == ("unit", 6, _d(1, 1))

    r2 = (
        await h.client.get("/api/v1/rates", params={**at_march_end, "unit_code": two}, headers=admin)
    ).json()
    assert _rates(r2) == {
        "restart_rate": (1, 1, 1.0),
        "new_start_rate": (1, 1, 1.0),
        "start_rate": (2, 2, 1.0),
        "procedure_completion_rate": (0, 0, None),
        "stats_rate": (2, 2, 1.0),
    }

    region = (await h.client.get("/api/v1/rates", params=at_march_end, headers=admin)).json()
    assert region["scope"] == "region" and region["projects"] == 8
    assert _rates(region) == {
        "restart_rate": (2, 4, 0.5),
        "new_start_rate": (2, 3, 0.6667),
        "start_rate": (4, 7, 0.5714),
        "procedure_completion_rate": (3, 5, 0.6),
        "stats_rate": (3, 5, 0.6),
    }

    by_unit = (await h.client.get("/api/v1/rates/units", params=at_march_end, headers=admin)).json()
    assert _rates(by_unit["region"]) == _rates(region)
    assert {u["unit_code"]: _rates(u) for u in by_unit["units"]["items"]} == {
        one: _rates(r1),
        two: _rates(r2),
    }

    # At the end of February no March report existed yet: nothing had (re)started then.
    feb = (
        await h.client.get("/api/v1/rates", params={"at": _d(2, 28), "unit_code": one}, headers=admin)
    ).json()
    assert _rates(feb)["restart_rate"] == (0, 3, 0.0) and _rates(feb)["new_start_rate"] == (0, 1, 0.0)
