"""The inbox, retries and dead-letter topic, against the real broker and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.app import ServiceSpec, create_service_app
from diaodu_platform.db import PlatformTables
from diaodu_platform.event_types import Subscription
from diaodu_platform.events import Envelope, Event, EventCatalog
from diaodu_platform.settings import ServiceSettings
from diaodu_testkit.harness import (
    ServiceHarness,
    TestRuntime,
    TopicReader,
    namespace,
    produce,
    start_service,
    wait_until,
)

metadata = MetaData()
tables = PlatformTables(metadata)
counters = Table("counters", metadata, Column("name", String, primary_key=True), Column("hits", Integer))


class Pinged(Event):
    """A test event."""

    service: ClassVar[str] = "pinger"
    name: ClassVar[str] = "pinged"
    key_field: ClassVar[str] = "target"
    target: str


async def on_pinged(conn: AsyncConnection, env: Envelope) -> None:
    if env.data["target"] == "poison":
        raise ValueError("this event can never be applied")
    await conn.execute(
        text(
            "INSERT INTO counters (name, hits) VALUES (:n, 1) ON CONFLICT (name) DO UPDATE "
            "SET hits = counters.hits + 1"
        ),
        {"n": env.data["target"]},
    )


# The producer's catalogue enters "pinger" into diaodu_platform.event_types, as a test double.
PINGER = EventCatalog("pinger", [Pinged])
SPEC = ServiceSpec(
    name="counter",
    title="counter",
    description="test consumer",
    version="0",
    metadata=metadata,
    tables=tables,
    catalog=EventCatalog("counter", []),
    routers=[],
    subscriptions=[Subscription("pinger", {"pinged": on_pinged})],
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return create_service_app(SPEC, settings)


async def _create_schema(runtime: TestRuntime) -> str:
    from sqlalchemy.ext.asyncio import create_async_engine

    from diaodu_platform.migrations import OUTBOX_NOTIFY_CHANNEL  # noqa: F401 - the relay listens on it

    url = await runtime.fresh_database("counter")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return url


@pytest.fixture
async def counter(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    url = await _create_schema(runtime)
    h = await start_service(
        runtime,
        service="counter",
        service_dir=Path("."),
        create_app=create_app,
        database=url,
        migrate=False,
        consumer_max_attempts=3,
    )
    try:
        yield h
    finally:
        await h.close()


def _record(target: str, event_id: str | None = None) -> tuple[str, dict[str, str], bytes]:
    env = Envelope.wrap(Pinged(target=target))
    headers = env.headers()
    if event_id:
        headers["ce_id"] = event_id
    return target, headers, json.dumps(env.data).encode()


async def _hits(h: ServiceHarness, name: str) -> int | None:
    async with h.app.state.engine.connect() as conn:
        return (await conn.execute(select(counters.c.hits).where(counters.c.name == name))).scalar()


async def test_same_event_delivered_twice_changes_state_once(counter: ServiceHarness) -> None:
    topic = counter.settings.topic("pinger")
    same_id = str(uuid.uuid4())
    await produce(counter.settings.kafka_bootstrap, topic, [_record("a", same_id), _record("a", same_id)])
    await produce(counter.settings.kafka_bootstrap, topic, [_record("a", same_id), _record("b")])
    await wait_until(lambda: _hits(counter, "b"), timeout=30)
    assert await _hits(counter, "a") == 1
    assert await _hits(counter, "b") == 1


async def test_poison_event_goes_to_dead_letter_topic_and_next_event_still_applies(
    counter: ServiceHarness,
) -> None:
    s = counter.settings
    await produce(s.kafka_bootstrap, s.topic("pinger"), [_record("poison"), _record("after")])
    not_json = (
        "x",
        {"ce_id": "bad-1", "ce_type": Pinged.ce_type(), "ce_source": "/t", "ce_specversion": "1.0"},
        b"{not json",
    )
    await produce(s.kafka_bootstrap, s.topic("pinger"), [not_json, _record("later")])

    # Keys spread over partitions, so wait for both: neither may be blocked by the poison event.
    async def both_applied() -> bool:
        return await _hits(counter, "after") == 1 and await _hits(counter, "later") == 1

    await wait_until(both_applied, timeout=30)
    async with TopicReader(s.kafka_bootstrap, s.dead_letter_topic("counter")) as dlq:
        dead = await dlq.wait_for(lambda rs: len(rs) >= 2, timeout=20)
    by_id = {r.headers["ce_id"]: r for r in dead}
    poison = next(r for r in dead if r.key == "poison")
    assert poison.headers["dlq_attempts"] == "3"
    assert "this event can never be applied" in poison.headers["dlq_error"]
    assert poison.headers["dlq_original_topic"] == s.topic("pinger")
    assert json.loads(poison.value) == {"target": "poison"}
    assert "bad-1" in by_id and by_id["bad-1"].headers["dlq_attempts"] == "0"
    assert "not JSON" in by_id["bad-1"].headers["dlq_error"]
    async with counter.app.state.engine.connect() as conn:
        statuses = dict((await conn.execute(text("SELECT event_id, status FROM inbox"))).all())
    assert statuses["bad-1"] == "dead_lettered"


async def test_readyz_reports_database_and_broker(counter: ServiceHarness) -> None:
    """Ready once the background broker connection is made (a replica is not ready before it is)."""

    async def ready() -> httpx.Response | None:
        r = await counter.client.get("/readyz")
        assert r.status_code in (200, 503), r.text
        return r if r.status_code == 200 else None

    r = await wait_until(ready, timeout=30)
    assert r.json() == {"ready": True, "checks": {"database": "ok", "broker": "ok"}}


def test_namespace_is_unique() -> None:
    assert namespace() != namespace()
