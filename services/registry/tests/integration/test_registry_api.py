"""Registry end to end over HTTP and Kafka, against the real PostgreSQL and broker."""

from __future__ import annotations

from typing import Any

from diaodu_testkit.harness import ServiceHarness, TopicReader

PROJECT = {
    "name": "阳城县皇城相府文旅综合开发项目",
    "unit_code": "beiliu",
    "build_type": "new",
    "is_industrial": True,
    "key_level": "provincial",
    "total_investment": 120000.50,
    "annual_plan_investment": 30000,
    "plan_year": 2023,
    "planned_start": "2023-11-15",
    "procedures": [
        {"item": "approval", "state": "done", "date": "2023-10-01"},
        {"item": "land", "state": "required"},
    ],
}


async def _unit(
    h: ServiceHarness, code: str = "beiliu", name: str = "北留镇", **extra: Any
) -> dict[str, Any]:
    r = await h.client.post(
        "/api/v1/units",
        json={"code": code, "name": name, "kind": "township", **extra},
        headers=h.auth("admin"),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_unit_and_project_with_chinese_names_publish_project_registered(
    registry: ServiceHarness,
) -> None:
    unit = await _unit(registry)
    assert unit["name"] == "北留镇"
    r = await registry.client.post("/api/v1/projects", json=PROJECT, headers=registry.auth("admin"))
    assert r.status_code == 201, r.text
    project = r.json()
    assert project["name"] == PROJECT["name"] and project["total_investment"] == 120000.5
    assert project["stage"] == "planned" and project["version"] == 1

    s = registry.settings
    async with TopicReader(s.kafka_bootstrap, s.topic("registry")) as reader:
        records = await reader.wait_for(lambda rs: any(r.key == project["project_id"] for r in rs))
    rec = next(r for r in records if r.key == project["project_id"])
    assert rec.headers["ce_type"] == "diaodu.registry.project_registered.v1"
    assert rec.headers["ce_specversion"] == "1.0"
    assert rec.headers["ce_source"] == "/diaodu/registry"
    assert rec.headers["ce_subject"] == project["project_id"]
    for header in ("ce_id", "ce_time", "correlation_id", "causation_id"):
        assert rec.headers[header], header
    data = rec.envelope().data
    assert data["project"]["name"] == PROJECT["name"]
    assert data["project"]["procedures"][0] == {
        "item": "approval",
        "state": "done",
        "date": "2023-10-01",
        "note": None,
    }
    unit_rec = next(r for r in records if r.headers["ce_type"] == "diaodu.registry.unit_registered.v1")
    assert unit_rec.key == "beiliu" and unit_rec.envelope().data["unit_name"] == "北留镇"


async def test_correlation_id_from_request_header_travels_on_the_event(registry: ServiceHarness) -> None:
    r = await registry.client.post(
        "/api/v1/units",
        json={"code": "runcheng", "name": "润城镇", "kind": "township"},
        headers={**registry.auth("admin"), "X-Correlation-ID": "corr-runcheng-1"},
    )
    assert r.status_code == 201 and r.headers["x-correlation-id"] == "corr-runcheng-1"
    s = registry.settings
    async with TopicReader(s.kafka_bootstrap, s.topic("registry")) as reader:
        records = await reader.wait_for(lambda rs: len(rs) >= 1)
    assert records[0].headers["correlation_id"] == "corr-runcheng-1"


async def test_auth_validation_and_lifecycle_errors(registry: ServiceHarness) -> None:
    c = registry.client
    await _unit(registry, "beiliu", "北留镇")
    await _unit(registry, "runcheng", "润城镇")
    r = await c.post("/api/v1/projects", json=PROJECT)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await c.post("/api/v1/projects", json=PROJECT, headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401 and "not valid" in r.json()["detail"]

    mine = await c.post("/api/v1/projects", json=PROJECT, headers=registry.auth("reporter", unit="beiliu"))
    assert mine.status_code == 201, mine.text
    pid = mine.json()["project_id"]
    r = await c.patch(
        f"/api/v1/projects/{pid}", json={"name": "改名"}, headers=registry.auth("reporter", unit="runcheng")
    )
    assert r.status_code == 403 and "runcheng" in r.json()["detail"]
    r = await c.post("/api/v1/projects", json=PROJECT, headers=registry.auth("reporter", unit="runcheng"))
    assert r.status_code == 403
    r = await c.post(
        "/api/v1/units",
        json={"code": "x", "name": "X镇", "kind": "township"},
        headers=registry.auth("reporter", unit="beiliu"),
    )
    assert r.status_code == 403 and "allowed roles: admin" in r.json()["detail"]

    bad = {**PROJECT, "build_type": "rebuilt", "total_investment": -5}
    r = await c.post("/api/v1/projects", json=bad, headers=registry.auth("admin"))
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"]: e for e in body["errors"]}
    assert "'new' or 'continuing'" in fields["build_type"]["allowed"]
    assert fields["total_investment"]["constraint"] == {"ge": "0"}
    r = await c.post(
        "/api/v1/projects", json={**PROJECT, "unit_code": "nowhere"}, headers=registry.auth("admin")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_code"

    r = await c.post(
        f"/api/v1/projects/{pid}/stage", json={"stage": "completed"}, headers=registry.auth("admin")
    )
    assert r.status_code == 409
    assert r.json()["allowed_next_stages"] == ["reserve", "cancelled"]
    for stage in ("reserve", "preliminary", "construction"):
        r = await c.post(
            f"/api/v1/projects/{pid}/stage",
            json={"stage": stage, "reason": "手续齐备"},
            headers=registry.auth("reporter", unit="beiliu"),
        )
        assert r.status_code == 200, r.text
    r = await c.post(
        f"/api/v1/projects/{pid}/stage", json={"stage": "planned"}, headers=registry.auth("admin")
    )
    assert r.status_code == 409 and r.json()["current_stage"] == "construction"
    detail = (await c.get(f"/api/v1/projects/{pid}", headers=registry.auth("leader"))).json()
    assert [h["to_stage"] for h in detail["history"]] == ["reserve", "preliminary", "construction"]
    assert detail["version"] == 4


async def test_project_list_filters_and_pages(registry: ServiceHarness) -> None:
    await _unit(registry)
    admin = registry.auth("admin")
    for i in range(5):
        body = {**PROJECT, "name": f"项目{i}", "is_private": i % 2 == 0, "key_level": None if i else "county"}
        assert (await registry.client.post("/api/v1/projects", json=body, headers=admin)).status_code == 201
    r = await registry.client.get(
        "/api/v1/projects", params={"is_private": "true", "page_size": 2}, headers=admin
    )
    page = r.json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["page_size"] == 2
    r = await registry.client.get("/api/v1/projects", params={"key_level": "county"}, headers=admin)
    assert [p["name"] for p in r.json()["items"]] == ["项目0"]
    r = await registry.client.get("/api/v1/projects", params={"stage": "bogus"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.stage"


async def test_idempotency_key_replays_the_first_answer(registry: ServiceHarness) -> None:
    await _unit(registry)
    headers = {**registry.auth("admin"), "Idempotency-Key": "import-row-17"}
    first = await registry.client.post("/api/v1/projects", json=PROJECT, headers=headers)
    again = await registry.client.post("/api/v1/projects", json=PROJECT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    listed = await registry.client.get("/api/v1/projects", headers=registry.auth("admin"))
    assert listed.json()["total"] == 1
    other = await registry.client.post("/api/v1/projects", json={**PROJECT, "name": "别的"}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["detail"]


async def test_r1_coverage_report_sums_unit_targets_against_the_region(registry: ServiceHarness) -> None:
    await _unit(registry, "fengcheng", "凤城镇")
    await _unit(registry, "beiliu", "北留镇")
    targets = [
        {"metric": "fixed_asset_investment", "period": "2023Q4", "scope": "region", "value": 488000},
        {
            "metric": "fixed_asset_investment",
            "period": "2023Q4",
            "scope": "unit",
            "unit_code": "fengcheng",
            "value": 45000,
        },
        {
            "metric": "fixed_asset_investment",
            "period": "2023Q4",
            "scope": "unit",
            "unit_code": "beiliu",
            "value": 36000,
        },
        {"metric": "private_investment", "period": "2023Q4", "scope": "region", "value": 5000},
        {
            "metric": "private_investment",
            "period": "2023Q4",
            "scope": "unit",
            "unit_code": "fengcheng",
            "value": 66000,
        },
        {
            "metric": "industrial_investment",
            "period": "2024",
            "scope": "region",
            "baseline": 100000,
            "growth_pct": 8,
        },
    ]
    r = await registry.client.put(
        "/api/v1/targets", json={"targets": targets}, headers=registry.auth("admin")
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 6
    growth = next(t for t in r.json()["targets"] if t["metric"] == "industrial_investment")
    assert growth["value"] == 108000.0
    r = await registry.client.get(
        "/api/v1/reports/target-coverage", params={"period": "2023Q4"}, headers=registry.auth("leader")
    )
    lines = {line["metric"]: line for line in r.json()}
    fai = lines["fixed_asset_investment"]
    assert (fai["regional_target"], fai["unit_sum"], fai["unit_count"]) == (488000.0, 81000.0, 2)
    assert fai["coverage"] == "0.1660" or float(fai["coverage"]) == 0.166
    assert fai["gap"] == 407000.0 and fai["flag"] == "under_allocated" and fai["severity"] == "error"
    assert lines["private_investment"]["flag"] == "over_allocated"
    assert lines["private_investment"]["severity"] == "info"

    again = await registry.client.put(
        "/api/v1/targets", json={"targets": targets[:2]}, headers=registry.auth("admin")
    )
    assert again.json()["unchanged"] == 2 and again.json()["created"] == 0
    bad = [
        {
            "metric": "fixed_asset_investment",
            "period": "2023Q4",
            "scope": "unit",
            "unit_code": "ghost",
            "value": 1,
        }
    ]
    r = await registry.client.put("/api/v1/targets", json={"targets": bad}, headers=registry.auth("admin"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "targets.0.unit_code"


async def test_r11_reserve_health_against_twice_the_planned_investment(registry: ServiceHarness) -> None:
    await _unit(registry)
    admin = registry.auth("admin")
    for total, stage in ((150000, "reserve"), (60000, "planned"), (20000, "construction")):
        body = {**PROJECT, "total_investment": total, "annual_plan_investment": 0, "stage": stage}
        assert (await registry.client.post("/api/v1/projects", json=body, headers=admin)).status_code == 201
    targets = [
        {"metric": "fixed_asset_investment", "period": "2024", "scope": "region", "value": 100000},
        {"metric": "large_project_count_10_50yi", "period": "2024", "scope": "region", "value": 2},
    ]
    assert (
        await registry.client.put("/api/v1/targets", json={"targets": targets}, headers=admin)
    ).status_code == 200
    r = await registry.client.get("/api/v1/reports/reserve-health", params={"year": 2024}, headers=admin)
    report = r.json()
    assert report["reserve_total"] == 210000.0 and report["planned_investment"] == 100000.0
    assert report["healthy"] is True and report["project_count"] == 2
    bands = {b["band"]: b for b in report["bands"]}
    assert bands["band_10_50yi"] == {"band": "band_10_50yi", "count": 1, "target": 2, "met": False}
    assert bands["band_5_10yi"]["count"] == 1


async def test_concurrent_retries_with_one_idempotency_key_create_one_project(
    registry: ServiceHarness,
) -> None:
    import asyncio

    await _unit(registry)
    headers = {**registry.auth("admin"), "Idempotency-Key": "double-click"}
    answers = await asyncio.gather(
        *[registry.client.post("/api/v1/projects", json=PROJECT, headers=headers) for _ in range(4)]
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["project_id"] for a in answers}) == 1
    listed = await registry.client.get("/api/v1/projects", headers=registry.auth("admin"))
    assert listed.json()["total"] == 1
