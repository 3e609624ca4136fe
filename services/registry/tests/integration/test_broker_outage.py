"""State changes made while the broker is down are published, once each and in order, after it returns."""

from __future__ import annotations

import asyncio

import httpx
from registry_testkit.harness import SERVICE_DIR

from diaodu_platform.runtime import EmbeddedKafka
from diaodu_testkit.harness import TestRuntime, TopicReader, harness, wait_until
from registry.entrypoints.main import create_app


async def _backlog(client: httpx.AsyncClient) -> float:
    text = (await client.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("diaodu_outbox_backlog "))
    return float(line.split()[1])


async def test_project_created_while_broker_down_is_published_once_in_order_after_restart(
    runtime: TestRuntime,
) -> None:
    broker = EmbeddedKafka()
    broker.start()
    try:
        async with harness(
            runtime,
            service="registry",
            service_dir=SERVICE_DIR,
            create_app=create_app,
            kafka_bootstrap=broker.bootstrap,
            kafka_request_timeout_ms=8000,
        ) as reg:
            admin = reg.auth("admin")
            c = reg.client
            assert (
                await c.post(
                    "/api/v1/units",
                    json={"code": "dongye", "name": "东冶镇", "kind": "township"},
                    headers=admin,
                )
            ).status_code == 201
            async with TopicReader(broker.bootstrap, reg.settings.topic("registry")) as before:
                await before.wait_for(lambda rs: len(rs) == 1)

            broker.stop()
            ready = await c.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["broker"] == "unavailable"
            r = await c.post(
                "/api/v1/projects",
                headers=admin,
                json={
                    "name": "东冶镇光伏项目",
                    "unit_code": "dongye",
                    "build_type": "new",
                    "total_investment": 5000,
                    "plan_year": 2023,
                },
            )
            assert r.status_code == 201, r.text
            pid = r.json()["project_id"]
            assert (
                await c.patch(f"/api/v1/projects/{pid}", json={"is_private": True}, headers=admin)
            ).status_code == 200
            assert (
                await c.post(f"/api/v1/projects/{pid}/stage", json={"stage": "reserve"}, headers=admin)
            ).status_code == 200
            await wait_until(lambda: _backlog_is(c, 3.0), timeout=20)

            broker = EmbeddedKafka(port=broker.port)  # same address, empty memory: as after a crash
            broker.start()
            # The relay empties the outbox once the broker is back; then the topic holds each event once.
            await wait_until(lambda: _backlog_is(c, 0.0), timeout=90)
            async with TopicReader(broker.bootstrap, reg.settings.topic("registry")) as reader:
                await reader.wait_for(lambda rs: len([r for r in rs if r.key == pid]) >= 3, timeout=30)
                await asyncio.sleep(0.5)  # anything published twice would show up now
                await reader.poll()
            mine = [r for r in reader.records if r.key == pid]
            assert [r.headers["ce_type"] for r in mine] == [
                "diaodu.registry.project_registered.v1",
                "diaodu.registry.project_updated.v1",
                "diaodu.registry.project_stage_changed.v1",
            ]
            assert len({r.headers["ce_id"] for r in mine}) == 3
            assert len({r.partition for r in mine}) == 1
            assert [r.offset for r in mine] == sorted(r.offset for r in mine)
    finally:
        broker.stop()


async def _backlog_is(client: httpx.AsyncClient, value: float) -> bool:
    return await _backlog(client) == value
