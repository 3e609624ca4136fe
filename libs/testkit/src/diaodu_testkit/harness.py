"""Test support shared by every service: the real runtime, a service harness, a topic reader.

Tests meet a real PostgreSQL and a real Kafka-wire broker: the embedded ones by default, or the
servers named by DIAODU_TEST_DATABASE_URL (an admin DSN) and DIAODU_TEST_KAFKA_BOOTSTRAP. When
those cannot be reached the tests fail; they never skip.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from diaodu_platform.events import Envelope
from diaodu_platform.migrations import upgrade
from diaodu_platform.runtime import (
    EmbeddedKafka,
    EmbeddedPostgres,
    database_url,
    ensure_database,
    remove_dir,
    scratch_dir,
)
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.tokens import dev_token


@dataclass
class TestRuntime:
    __test__ = False

    admin_dsn: str
    bootstrap: str
    postgres: EmbeddedPostgres | None = None
    kafka: EmbeddedKafka | None = None
    data_dir: Path | None = None

    @classmethod
    def start(cls) -> TestRuntime:
        rt = cls(
            admin_dsn=os.environ.get("DIAODU_TEST_DATABASE_URL", ""),
            bootstrap=os.environ.get("DIAODU_TEST_KAFKA_BOOTSTRAP", ""),
        )
        if not rt.admin_dsn:
            rt.data_dir = scratch_dir("diaodu-test-pg-")
            rt.postgres = EmbeddedPostgres(rt.data_dir, fast=True)
            rt.postgres.start()
            rt.admin_dsn = rt.postgres.admin_dsn
        if not rt.bootstrap:
            rt.kafka = EmbeddedKafka()
            rt.kafka.start()
            rt.bootstrap = rt.kafka.bootstrap
        atexit.register(rt.stop)  # also when the session ends abnormally
        return rt

    def stop(self) -> None:
        if self.kafka:
            self.kafka.stop()
        if self.postgres:
            self.postgres.stop()
        if self.data_dir:
            remove_dir(self.data_dir)
        self.kafka = self.postgres = None
        self.data_dir = None

    async def fresh_database(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        await ensure_database(self.admin_dsn, name, fresh=True)
        return database_url(self.admin_dsn, name)

    def settings(
        self,
        service: str,
        *,
        database_url: str,
        namespace: str,
        settings_cls: type[ServiceSettings] = ServiceSettings,
        **overrides: Any,
    ) -> ServiceSettings:
        values: dict[str, Any] = {
            "service": service,
            "env": "test",
            "database_url": database_url,
            "kafka_bootstrap": self.bootstrap,
            "topic_namespace": namespace,
            "log_json": True,
            "outbox_poll_interval_s": 0.2,
            "db_pool_size": 5,
            "log_level": os.environ.get("DIAODU_TEST_LOG_LEVEL", "WARNING"),
        }
        values.update(overrides)
        return settings_cls(**values)


def namespace() -> str:
    """A fresh topic prefix, so every test has its own topics."""
    return f"t{uuid.uuid4().hex[:8]}."


@dataclass
class ServiceHarness:
    """One service app running in-process on a fresh database, with an HTTP client."""

    app: FastAPI
    settings: ServiceSettings
    client: httpx.AsyncClient
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    def token(self, role: str, *, unit: str | None = None, sub: str | None = None) -> str:
        return dev_token(self.settings, sub=sub or f"test-{role}", role=role, unit=unit)

    def auth(self, role: str, *, unit: str | None = None, sub: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, unit=unit, sub=sub)}"}

    async def close(self) -> None:
        await self._stack.aclose()


async def start_service(
    runtime: TestRuntime,
    *,
    service: str,
    service_dir: Path,
    create_app: Callable[[ServiceSettings], FastAPI],
    ns: str | None = None,
    database: str | None = None,
    migrate: bool = True,
    settings_cls: type[ServiceSettings] = ServiceSettings,
    **overrides: Any,
) -> ServiceHarness:
    """Migrate a fresh database and run the app's lifespan; the caller closes the harness."""
    db_url = database or await runtime.fresh_database(service)
    if migrate:
        await asyncio.to_thread(upgrade, service_dir, db_url)
    settings = runtime.settings(
        service, database_url=db_url, namespace=ns or namespace(), settings_cls=settings_cls, **overrides
    )
    app = create_app(settings)
    stack = contextlib.AsyncExitStack()
    await stack.enter_async_context(app.router.lifespan_context(app))
    client = await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30)
    )
    return ServiceHarness(app=app, settings=settings, client=client, _stack=stack)


async def wait_until(predicate: Callable[[], Any], *, timeout: float = 20, interval: float = 0.05) -> Any:
    """Poll an (a)sync predicate until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    value: bytes

    def envelope(self) -> Envelope:
        return Envelope.from_kafka(
            headers=self.headers, value=self.value, key=self.key.encode() if self.key else None
        )


class TopicReader:
    """Reads every partition of a topic from the beginning, without a consumer group (no group join).

    The partitions are discovered from the broker and re-checked while reading: a topic may not exist
    yet, or be auto-created by the broker with another partition count than the services use.
    """

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.records: list[Record] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._assigned: set[int] = set()
        self._checked_at = 0.0

    async def __aenter__(self) -> TopicReader:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            metadata_max_age_ms=500,
            fetch_max_wait_ms=10,
            auto_offset_reset="earliest",
        )
        await self._consumer.start()
        await self._discover()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._consumer:
            await self._consumer.stop()

    async def _discover(self) -> None:
        assert self._consumer is not None
        self._checked_at = asyncio.get_running_loop().time()
        await self._consumer.topics()  # refreshes the cluster metadata
        found = set(self._consumer.partitions_for_topic(self.topic) or ())
        new = found - self._assigned
        if new:
            self._assigned |= new
            self._consumer.assign([TopicPartition(self.topic, p) for p in sorted(self._assigned)])
            await self._consumer.seek_to_beginning(*[TopicPartition(self.topic, p) for p in sorted(new)])

    async def poll(self) -> list[Record]:
        assert self._consumer is not None
        if asyncio.get_running_loop().time() - self._checked_at > 0.5:
            await self._discover()
        if not self._assigned:
            await asyncio.sleep(0.05)
            return self.records
        batch = await self._consumer.getmany(timeout_ms=100)
        for tp, msgs in batch.items():
            for m in msgs:
                self.records.append(
                    Record(
                        topic=tp.topic,
                        partition=tp.partition,
                        offset=m.offset,
                        key=m.key.decode() if m.key else None,
                        headers={k: v.decode() for k, v in m.headers},
                        value=m.value or b"",
                    )
                )
        return self.records

    async def wait_for(self, predicate: Callable[[list[Record]], bool], timeout: float = 20) -> list[Record]:
        async def check() -> bool:
            return predicate(await self.poll())

        await wait_until(check, timeout=timeout, interval=0)
        return self.records

    def of_type(self, ce_type: str) -> list[Record]:
        return [r for r in self.records if r.headers.get("ce_type") == ce_type]


async def produce(
    bootstrap: str, topic: str, records: list[tuple[str | None, dict[str, str], bytes]]
) -> None:
    """Send raw records (key, headers, value) as another service or a misbehaving peer would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, headers, value in records:
            await producer.send_and_wait(
                topic,
                value,
                key=key.encode() if key else None,
                headers=[(k, v.encode()) for k, v in headers.items()],
            )
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def harness(runtime: TestRuntime, **kwargs: Any) -> AsyncIterator[ServiceHarness]:
    h = await start_service(runtime, **kwargs)
    try:
        yield h
    finally:
        await h.close()
