"""The scoring service against a real PostgreSQL and broker, with two replicas on one database.

Inputs arrive as registry and progress (and escalation) events produced onto their topics
(scoring_testkit.world); the expected month is the hand-computed one of scoring_testkit.month:
rc 79.00, bl 79.00 (tie → 入库投资率), fc 53.50, dingdian 32.50, sitou 32.50 (tie → unit code).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from scoring_testkit.harness import SCORING_TYPES, of, scoring_events
from scoring_testkit.world import T_PLAN, TARGETS, World, build_world
from sqlalchemy import func, select, text

from diaodu_platform.types import SHANGHAI
from diaodu_testkit.harness import produce, wait_until

ASSESSMENT_DAY = datetime(2024, 3, 25, 9, 0, tzinfo=SHANGHAI)
AFTER_Q1 = datetime(2024, 4, 1, 9, 0, tzinfo=SHANGHAI)


async def inbox_count(conn_engine: Any) -> int:
    async with conn_engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM inbox"))).scalar_one())


@pytest.fixture(scope="module")
async def world(replicas: Any) -> World:
    for h in replicas.all:  # before any input arrives, so no replica assesses the real month
        h.app.state.clock.set(datetime(2024, 3, 10, 9, 0, tzinfo=SHANGHAI))
    w = build_world()
    for service in ("registry", "progress", "escalation"):
        await produce(
            replicas.runtime.bootstrap,
            replicas.topic(service),
            [(e.key, e.headers(), e.value()) for t, e in w.envelopes if t == service],
        )
    distinct = len({e.id for _, e in w.envelopes})

    async def all_applied() -> bool:
        return await inbox_count(replicas.a.app.state.engine) >= distinct

    await wait_until(all_applied, timeout=90, interval=0.2)
    return w


async def test_the_r9_default_is_version_1_and_published_versions_never_change(
    replicas: Any, world: World
) -> None:
    c, admin = replicas.a.client, replicas.a.auth("admin")
    r = await c.get("/api/v1/policies", headers=admin)
    assert r.status_code == 200 and [p["version"] for p in r.json()] == [1]
    assert [(i["code"], i["weight"]) for i in r.json()[0]["indicators"]] == [
        ("signing_rate", 20),
        ("landing_rate", 20),
        ("funds_rate", 20),
        ("investment_rate", 25),
        ("enterprise_rate", 15),
    ]
    body = {
        "name": "入库投资加权 (2099)",
        "effective_from": "2099-01",
        "indicators": [
            {"code": "signing_rate", "weight": 10},
            {"code": "landing_rate", "weight": 10},
            {"code": "funds_rate", "weight": 10},
            {"code": "investment_rate", "weight": 60},
            {"code": "enterprise_rate", "weight": 10},
        ],
    }
    r = await replicas.b.client.post(
        "/api/v1/policies", json=body, headers={**admin, "Idempotency-Key": "pol-2"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2
    again = await replicas.b.client.post(
        "/api/v1/policies", json=body, headers={**admin, "Idempotency-Key": "pol-2"}
    )
    assert again.json()["version"] == 2 and again.headers.get("Idempotent-Replayed") == "true"
    for method in ("PUT", "PATCH", "DELETE"):
        r = await c.request(method, "/api/v1/policies/1", json=body, headers=admin)
        assert r.status_code == 409, (method, r.text)
        assert "never changed" in r.json()["detail"]
    async with replicas.a.app.state.engine.connect() as conn:
        with pytest.raises(Exception, match="never changed"):
            await conn.execute(text("UPDATE policies SET name = 'x' WHERE version = 1"))
    bad = {**body, "tie_breaks": ["speed"]}
    r = await c.post("/api/v1/policies", json=bad, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tie_breaks.0"
    reader = await scoring_events(replicas, lambda rd: len(of(rd, "policy_published")) >= 2, settle=0.5)
    assert [
        (p["policy_version"], r.key)
        for p, r in zip(
            of(reader, "policy_published"), reader.of_type(SCORING_TYPES["policy_published"]), strict=True
        )
    ] == [(1, "policy"), (2, "policy")]
    r = await c.get("/api/v1/policies/current", params={"month": "2024-03"}, headers=admin)
    assert r.json()["version"] == 1  # version 2 applies from 2099-01


async def test_assessment_day_with_two_replicas_publishes_one_ranking_and_three_interviews(
    replicas: Any, world: World
) -> None:
    # the 25th arrives on both replicas at once: both schedulers wake and race for the month
    await asyncio.gather(
        *(
            h.client.put(
                "/api/v1/ops/clock", json={"now": ASSESSMENT_DAY.isoformat()}, headers=h.auth("admin")
            )
            for h in replicas.all
        )
    )
    reader = await scoring_events(
        replicas,
        lambda rd: len(of(rd, "ranking_published")) >= 1 and len(of(rd, "interview_required")) >= 3,
        settle=0.5,
    )
    assert [x["trigger"] for x in of(reader, "ranking_published")] == ["scheduled"]
    # then both replicas are asked to run the job and the month again, at once: nothing new
    admin = replicas.a.auth("admin")
    results = await asyncio.gather(
        *(h.client.post("/api/v1/ops/jobs/assessment/run", headers=admin) for h in replicas.all),
        *(
            h.client.post("/api/v1/assessments", json={"month": "2024-03"}, headers=admin)
            for h in replicas.all
        ),
    )
    assert [r.status_code for r in results] == [200, 200, 200, 200], [r.text for r in results]
    assert all(r.json()["already_published"] for r in results[2:])
    reader = await scoring_events(
        replicas,
        lambda rd: len(of(rd, "ranking_published")) >= 1 and len(of(rd, "interview_required")) >= 3,
        settle=2.0,
    )
    rankings = of(reader, "ranking_published")
    assert len(rankings) == 1
    ranking = rankings[0]
    assert ranking["month"] == "2024-03" and ranking["policy_version"] == 1
    assert [(x["rank"], x["unit_code"], x["total_score"]) for x in ranking["ranking"]] == [
        (1, "rc", 79.0),
        (2, "bl", 79.0),
        (3, "fc", 53.5),
        (4, "dingdian", 32.5),
        (5, "sitou", 32.5),
    ]
    interviews = of(reader, "interview_required")
    assert sorted((x["unit_code"], x["rank"]) for x in interviews) == [
        ("dingdian", 4),
        ("fc", 3),
        ("sitou", 5),
    ]
    leaders = {x["unit_code"]: [ld["leader_name"] for ld in x["leaders"]] for x in interviews}
    assert leaders == {"fc": ["王副县长"], "dingdian": ["李副县长"], "sitou": ["张副县长"]}
    assert {r.key for r in reader.of_type(SCORING_TYPES["interview_required"])} == {
        "fc",
        "dingdian",
        "sitou",
    }
    cards = of(reader, "scorecard_computed")
    assert sorted(x["unit_code"] for x in cards) == ["bl", "dingdian", "fc", "rc", "sitou"]
    fc = next(x for x in cards if x["unit_code"] == "fc")
    assert [(i["code"], i["rate"], i["score"]) for i in fc["indicators"]] == [
        ("signing_rate", 0.8, 16.0),
        ("landing_rate", 0.5, 10.0),
        ("funds_rate", 0.5, 10.0),
        ("investment_rate", 0.4, 10.0),
        ("enterprise_rate", 0.5, 7.5),
    ]
    async with replicas.a.app.state.engine.connect() as conn:
        from scoring.adapters.tables import interviews as interviews_table
        from scoring.adapters.tables import rankings as rankings_table

        assert (await conn.execute(select(func.count()).select_from(rankings_table))).scalar_one() == 1
        assert (await conn.execute(select(func.count()).select_from(interviews_table))).scalar_one() == 3


async def test_recomputing_a_published_month_from_stored_inputs_gives_the_identical_ranking(
    replicas: Any, world: World
) -> None:
    c, auth = replicas.b.client, replicas.b.auth("supervisor")
    published = (await c.get("/api/v1/rankings/2024-03", headers=auth)).json()
    r = await c.get("/api/v1/rankings/2024-03/recompute", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["identical"] is True and body["changes"] == [] and body["policy_version"] == 1
    assert body["recomputed"] == published["scorecards"] == body["published"]


async def test_what_if_with_other_weights_shows_rank_changes_and_publishes_nothing(
    replicas: Any, world: World
) -> None:
    c, auth = replicas.a.client, replicas.a.auth("leader")
    weights = {
        "signing_rate": 0,
        "landing_rate": 0,
        "funds_rate": 0,
        "investment_rate": 0,
        "enterprise_rate": 100,
    }
    r = await c.post("/api/v1/what-if", json={"month": "2024-03", "weights": weights}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["published"] is False and "stored inputs" in body["alternative"]["inputs_from"]
    assert {x["unit_code"]: (x["rank_before"], x["rank_after"]) for x in body["changes"]} == {
        "dingdian": (4, 1),
        "sitou": (5, 2),
        "rc": (1, 3),
        "fc": (3, 4),
        "bl": (2, 5),
    }
    # another published version (入库投资 weighted 60): same inputs, other ranks
    r = await c.post("/api/v1/what-if", json={"month": "2024-03", "policy_version": 2}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["alternative"]["policy"]["version"] == 2
    assert [x["unit_code"] for x in r.json()["alternative"]["scorecards"]][:2] == ["rc", "bl"]
    # the data as of 22 March: bl-1's correction (24 March) is not yet there, its 入库投资率 is 0.5
    r = await c.post("/api/v1/what-if", json={"month": "2024-03", "as_of": "2024-03-22"}, headers=auth)
    bl = next(x for x in r.json()["changes"] if x["unit_code"] == "bl")
    assert (bl["score_before"], bl["score_after"]) == (79.0, 76.5)
    reader = await scoring_events(replicas, lambda rd: len(of(rd, "ranking_published")) >= 1, settle=1.0)
    assert len(of(reader, "ranking_published")) == 1 and len(of(reader, "interview_required")) == 3
    assert len((await c.get("/api/v1/rankings", params={"month": "2024-03"}, headers=auth)).json()) == 1


async def test_the_explanation_lists_every_input_with_its_source_event_id(
    replicas: Any, world: World
) -> None:
    c, auth = replicas.a.client, replicas.a.auth("leader")
    r = await c.get("/api/v1/rankings/2024-03/explanation", params={"unit_code": "fc"}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["policy_version"] == 1 and body["policy"]["version"] == 1
    [fc] = body["units"]
    assert fc["unit_event_id"] == world.ids["unit:fc"] and fc["rank"] == 3 and fc["total_score"] == 53.5
    lines = {x["code"]: x for x in fc["indicators"]}
    ids = world.ids

    def inputs(code: str) -> list[tuple[str, float, str]]:
        return [(i["ref"], i["value"], i["source_event_id"]) for i in lines[code]["inputs"]]

    assert inputs("signing_rate") == [
        ("fc-1", 15000.0, ids["report:fc-1"]),
        ("fc-2", 15000.0, ids["report:fc-2"]),
    ]
    assert lines["signing_rate"]["inputs"][0]["detail"]["base_event_id"] == ids["report:fc-1:2023-12"]
    assert inputs("landing_rate") == [("fc-1", 1.0, ids["report:fc-1"]), ("fc-2", 0.0, ids["report:fc-2"])]
    assert inputs("funds_rate") == [("fc-1", 6500.0, ids["report:fc-1"]), ("fc-2", 0.0, None)]
    assert inputs("investment_rate") == [
        ("fc-1", 12000.0, ids["report:fc-1"]),
        ("fc-3", 6000.0, ids["report:fc-3"]),
    ]
    assert inputs("enterprise_rate") == [
        ("晋城甲公司", 1.0, ids["return:fc:2024-01"]),
        ("晋城乙公司", 1.0, ids["return:fc:2024-02"]),
    ]
    for code, metric in (
        ("signing_rate", "signed_amount"),
        ("funds_rate", "funds_in_place"),
        ("investment_rate", "fixed_asset_investment"),
        ("enterprise_rate", "above_size_enterprise_count"),
    ):
        assert lines[code]["target_event_id"] == ids[f"target:fc:{metric}"], code
    assert (
        lines["investment_rate"]["actual"],
        lines["investment_rate"]["target"],
        lines["investment_rate"]["rate"],
        lines["investment_rate"]["score"],
    ) == (18000.0, 45000.0, 0.4, 10.0)
    # bl's explanation uses the corrected revision of its March report
    r = await c.get("/api/v1/rankings/2024-03/explanation", params={"unit_code": "bl"}, headers=auth)
    bl = {x["code"]: x for x in r.json()["units"][0]["indicators"]}
    assert [(i["value"], i["source_event_id"]) for i in bl["investment_rate"]["inputs"]] == [
        (12000.0, ids["report:bl-1"])
    ]


async def test_a_unit_below_18_percent_at_the_end_of_march_gets_milestone_missed(
    replicas: Any, world: World
) -> None:
    for h in replicas.all:
        await h.client.put("/api/v1/ops/clock", json={"now": AFTER_Q1.isoformat()}, headers=h.auth("admin"))
    await asyncio.gather(
        *(h.client.post("/api/v1/ops/jobs/milestones/run", headers=h.auth("admin")) for h in replicas.all)
    )
    expected = {
        ("sitou", "funds_in_place"),
        ("bl", "above_size_enterprise_count"),
        ("jtj", "fixed_asset_investment"),
        ("region", "funds_in_place"),
    }
    reader = await scoring_events(replicas, lambda rd: len(of(rd, "milestone_missed")) >= len(expected))
    missed = of(reader, "milestone_missed")
    assert {(x["unit_code"] or "region", x["metric"]) for x in missed} == expected
    assert len(missed) == len(expected)
    jtj = next(x for x in missed if x["unit_code"] == "jtj")
    assert (
        jtj["period"],
        jtj["annual_target"],
        jtj["expected_share"],
        jtj["expected_value"],
        jtj["actual"],
        jtj["shortfall"],
    ) == ("2024Q1", 50000.0, 0.18, 9000.0, 1000.0, 8000.0)
    assert jtj["target_event_id"] == world.ids["target:jtj:fixed_asset_investment"]
    assert {r.key for r in reader.of_type(SCORING_TYPES["milestone_missed"])} == {
        "sitou",
        "bl",
        "jtj",
        "region",
    }
    # checking the quarter again (admin) records nothing new and publishes nothing twice
    r = await replicas.a.client.post(
        "/api/v1/milestones/check", json={"period": "2024Q1"}, headers=replicas.a.auth("admin")
    )
    assert r.status_code == 200 and not any(x["newly_recorded"] for x in r.json())
    reader = await scoring_events(
        replicas, lambda rd: len(of(rd, "milestone_missed")) >= len(expected), settle=1.0
    )
    assert len(of(reader, "milestone_missed")) == len(expected)


async def test_the_attainment_board_year_total_and_problem_statistics(replicas: Any, world: World) -> None:
    c, auth = replicas.a.client, replicas.a.auth("supervisor")
    board = (await c.get("/api/v1/board", params={"year": 2024, "month": "2024-03"}, headers=auth)).json()
    assert len(board["targets"]) == len(TARGETS)
    row = next(x for x in board["targets"] if x["unit_code"] == "jtj")
    assert (row["target"], row["actual"], row["share"], row["expected_share"], row["light"]) == (
        50000.0,
        1000.0,
        0.02,
        0.18,
        "yellow",
    )  # 16 points behind
    region = next(
        x for x in board["targets"] if x["unit_code"] is None and x["metric"] == "fixed_asset_investment"
    )
    assert (
        region["actual"] == 12000 + 3000 + 6000 + 12000 + 8000 + 3000 + 6000 + 1000
        and region["light"] == "green"
    )
    total = (await c.get("/api/v1/year-totals/2024", headers=auth)).json()
    assert [
        (x["year_rank"], x["unit_code"], x["months_assessed"], x["interviews"]) for x in total["units"]
    ] == [(1, "rc", 1, 0), (2, "bl", 1, 0), (3, "fc", 1, 1), (4, "dingdian", 1, 1), (5, "sitou", 1, 1)]
    stats = (await c.get("/api/v1/problem-stats", params={"unit_code": "fc"}, headers=auth)).json()
    assert stats == [
        {
            "owner_unit": "fc",
            "total": 1,
            "open": 1,
            "resolved": 0,
            "major": 1,
            "open_escalated": 1,
            "sla_breaches": 1,
            "escalations": 1,
        }
    ]
    cards = (await c.get("/api/v1/scorecards", params={"unit_code": "fc", "year": 2024}, headers=auth)).json()
    assert [(x["month"], x["rank"], x["interview"]) for x in cards] == [("2024-03", 3, True)]


async def test_a_filed_plan_keeps_the_projected_problem_current(replicas: Any, world: World) -> None:
    # problem_plan_filed was once left out of the subscription: the projection stopped at the escalation
    from scoring.adapters.tables import problems

    async with replicas.a.app.state.engine.connect() as conn:
        row = (await conn.execute(select(problems).where(problems.c.problem_id == "p-1"))).one()
    assert (row.last_event_id, row.status, row.level) == (world.ids["problem:plan_filed"], "in_progress", 2)
    assert row.occurred_at == T_PLAN
    assert (row.breaches, row.escalations) == (1, 1)
