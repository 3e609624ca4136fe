"""The projection of the registry: projects registered in the registry reach progress through the
events alone, and a replay into an empty database gives the same state."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from progress_testkit import REGISTRY_DIR, SERVICE_DIR, YEAR, at, start_progress
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from diaodu_platform.migrations import upgrade
from diaodu_testkit.harness import (
    ServiceHarness,
    TestRuntime,
    TopicReader,
    namespace,
    start_service,
    wait_until,
)
from progress.adapters.tables import campaigns, projects, targets, units
from progress.entrypoints.consumers import SUBSCRIPTIONS
from registry.entrypoints.main import create_app as create_registry

# The live consumer's map from event type to projection handler, to replay events by hand.
HANDLERS = {t: h for sub in SUBSCRIPTIONS for t, h in sub.by_ce_type().items()}


@pytest.fixture(scope="module")
async def pair(runtime: TestRuntime) -> AsyncIterator[tuple[ServiceHarness, ServiceHarness]]:
    """A registry and a progress service sharing one topic namespace, as in production."""
    ns = namespace()
    registry = await start_service(
        runtime, service="registry", service_dir=REGISTRY_DIR, create_app=create_registry, ns=ns
    )
    progress = await start_progress(runtime, ns=ns)
    try:
        yield registry, progress
    finally:
        await progress.close()
        await registry.close()


async def _project(progress: ServiceHarness, pid: str) -> dict[str, Any] | None:
    r = await progress.client.get(f"/api/v1/projects/{pid}", headers=progress.auth("admin"))
    return r.json() if r.status_code == 200 else None


async def test_a_project_registered_in_the_registry_accepts_a_report_within_seconds(
    pair: tuple[ServiceHarness, ServiceHarness],
) -> None:
    registry, progress = pair
    admin = registry.auth("admin")
    r = await registry.client.post(
        "/api/v1/units", json={"code": "fengcheng", "name": "凤城镇", "kind": "township"}, headers=admin
    )
    assert r.status_code == 201, r.text
    started = time.monotonic()
    r = await registry.client.post(
        "/api/v1/projects",
        headers=admin,
        json={
            "name": "凤城镇光伏产业园",
            "unit_code": "fengcheng",
            "build_type": "new",
            "stage": "construction",
            "total_investment": 52000,
            "annual_plan_investment": 12000,
            "plan_year": YEAR,
        },
    )
    assert r.status_code == 201, r.text
    pid = r.json()["project_id"]
    progress.app.state.clock.set(at(3, 10))
    body = {
        "project_id": pid,
        "month": f"{YEAR}-02",
        "investment_month": 300,
        "investment_ytd": 300,
        "investment_cumulative": 300,
        "construction_status": "started",
        "actual_start_date": f"{YEAR}-02-08",
    }
    reporter = progress.auth("reporter", unit="fengcheng")

    async def accepted() -> Any:
        resp = await progress.client.post("/api/v1/reports", json=body, headers=reporter)
        assert resp.status_code in (201, 422), resp.text
        return resp.status_code == 201 and resp.json()

    report = await wait_until(accepted, timeout=30, interval=0.2)
    elapsed = time.monotonic() - started
    assert report["unit_code"] == "fengcheng" and report["revision"] == 1
    assert elapsed < 30  # through the broker alone: a consumer-group join (~5 s) and one batch


async def test_updates_stage_changes_targets_and_campaigns_reach_the_projection(
    pair: tuple[ServiceHarness, ServiceHarness],
) -> None:
    registry, progress = pair
    admin = registry.auth("admin")
    await registry.client.post(
        "/api/v1/units", json={"code": "beiliu", "name": "北留镇", "kind": "township"}, headers=admin
    )
    r = await registry.client.post(
        "/api/v1/projects",
        headers=admin,
        json={
            "name": "北留镇污水处理厂",
            "unit_code": "beiliu",
            "build_type": "continuing",
            "stage": "construction",
            "total_investment": 8000,
            "plan_year": YEAR,
        },
    )
    pid = r.json()["project_id"]
    r = await registry.client.patch(f"/api/v1/projects/{pid}", json={"total_investment": 9000}, headers=admin)
    assert r.status_code == 200, r.text
    r = await registry.client.post(
        f"/api/v1/projects/{pid}/stage", json={"stage": "completed"}, headers=admin
    )
    assert r.status_code == 200, r.text
    r = await registry.client.post(
        "/api/v1/campaigns",
        headers=admin,
        json={
            "id": "winter",
            "name": "冬季行动",
            "start_date": f"{YEAR}-11-01",
            "end_date": f"{YEAR + 1}-02-20",
        },
    )
    assert r.status_code == 201, r.text
    r = await registry.client.put(
        "/api/v1/targets",
        headers=admin,
        json={
            "targets": [
                {
                    "metric": "fixed_asset_investment",
                    "period": str(YEAR),
                    "scope": "unit",
                    "unit_code": "beiliu",
                    "value": 30000,
                }
            ]
        },
    )
    assert r.status_code == 200, r.text

    async def caught_up() -> Any:
        p = await _project(progress, pid)
        return p if p and p["version"] == 3 else None

    p = await wait_until(caught_up, timeout=30)
    assert p["stage"] == "completed" and p["total_investment"] == 9000.0
    admin = progress.auth("admin")

    # The campaign and the target travel on other keys (partitions): they arrive in their own time.
    async def campaign() -> Any:
        r = await progress.client.get(
            "/api/v1/schedule", params={"campaign_id": "winter", "at": f"{YEAR}-11-30"}, headers=admin
        )
        return r.json() if r.status_code == 200 else None

    schedule = await wait_until(campaign, timeout=30)
    assert schedule["curve"] == "campaign_window" and schedule["expected_share"] == pytest.approx(
        30 / 112, abs=1e-4
    )

    async def target() -> Any:
        r = await progress.client.get(f"/api/v1/units/beiliu/months/{YEAR}-03", headers=admin)
        return r.json()["totals"]["target"]

    assert await wait_until(target, timeout=30) == 30000.0


async def _dump(engine: AsyncEngine) -> dict[str, list[Any]]:
    out = {}
    async with engine.connect() as conn:
        for t, key in (
            (units, units.c.code),
            (projects, projects.c.id),
            (campaigns, campaigns.c.id),
            (targets, targets.c.id),
        ):
            out[t.name] = [tuple(r) for r in await conn.execute(select(t).order_by(key))]
    return out


async def test_replaying_the_registry_topic_into_an_empty_database_gives_the_same_state(
    runtime: TestRuntime, pair: tuple[ServiceHarness, ServiceHarness]
) -> None:
    registry, progress = pair
    admin = registry.auth("admin")
    # Its own history too, so that the test stands alone: a unit, a project, a campaign, a target, an update.
    await registry.client.post(
        "/api/v1/units", json={"code": "runan", "name": "润城镇", "kind": "township"}, headers=admin
    )
    r = await registry.client.post(
        "/api/v1/projects",
        headers=admin,
        json={
            "name": "润城镇文旅项目",
            "unit_code": "runan",
            "build_type": "new",
            "stage": "preliminary",
            "total_investment": 3000,
            "plan_year": YEAR,
        },
    )
    pid = r.json()["project_id"]
    await registry.client.post(
        "/api/v1/campaigns",
        headers=admin,
        json={"id": "spring", "name": "春季攻坚", "start_date": f"{YEAR}-03-01", "end_date": f"{YEAR}-05-31"},
    )
    await registry.client.put(
        "/api/v1/targets",
        headers=admin,
        json={
            "targets": [
                {
                    "metric": "fixed_asset_investment",
                    "period": str(YEAR),
                    "scope": "unit",
                    "unit_code": "runan",
                    "value": 2000,
                }
            ]
        },
    )
    r = await registry.client.patch(
        f"/api/v1/projects/{pid}", json={"annual_plan_investment": 1500}, headers=admin
    )
    assert r.status_code == 200, r.text

    def has_last(records: list[Any]) -> bool:  # the registry relays its outbox in order: the update is last
        return any(x.envelope().data.get("project", {}).get("version") == 2 and x.key == pid for x in records)

    async with TopicReader(registry.settings.kafka_bootstrap, registry.settings.topic("registry")) as reader:
        records = await reader.wait_for(has_last)
    envelopes = sorted((r.envelope() for r in records), key=lambda e: e.time)
    live = create_async_engine(progress.settings.database_url)
    url = await runtime.fresh_database("progress_replay")
    await asyncio.to_thread(upgrade, SERVICE_DIR, url)
    replay = create_async_engine(url)
    try:
        # Out of order first (newest first), then in order twice: the version guards and upserts
        # leave exactly the state the live consumer built.
        for batch in (list(reversed(envelopes)), envelopes, envelopes):
            for env in batch:
                handler = HANDLERS.get(env.type)
                if handler is not None:
                    async with replay.begin() as conn:
                        await handler(conn, env)
        state = await _dump(replay)
        assert pid in {row[0] for row in state["projects"]} and state["campaigns"] and state["targets"]
        with contextlib.suppress(TimeoutError):  # the live consumer may still be applying the last batch
            await wait_until(lambda: _same(live, state), timeout=20)
        assert await _dump(live) == state
    finally:
        await live.dispose()
        await replay.dispose()


async def _same(live: AsyncEngine, state: dict[str, list[Any]]) -> bool:
    return await _dump(live) == state
