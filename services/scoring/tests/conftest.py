"""Fixtures: scoring replicas on one fresh database, fed by registry/progress/escalation events that
the tests produce onto those services' topics (in the same topic namespace)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from diaodu_platform.kafka import ensure_topics
from diaodu_testkit.harness import ServiceHarness, TestRuntime, namespace, start_service
from scoring.entrypoints.main import create_app

SERVICE_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Replicas:
    """Two scoring replicas sharing one database and one topic namespace."""

    a: ServiceHarness
    b: ServiceHarness
    runtime: TestRuntime

    @property
    def all(self) -> list[ServiceHarness]:
        return [self.a, self.b]

    def topic(self, service: str) -> str:
        return self.a.settings.topic(service)


@pytest.fixture(scope="module")
async def replicas(runtime: TestRuntime) -> AsyncIterator[Replicas]:
    ns = namespace()
    settings = runtime.settings("scoring", database_url="", namespace=ns)
    # The topics scoring consumes exist before it subscribes (as they do once the other services run).
    await ensure_topics(settings, [settings.topic(s) for s in ("registry", "progress", "escalation")])
    a = await start_service(runtime, service="scoring", service_dir=SERVICE_DIR, create_app=create_app, ns=ns)
    b = await start_service(
        runtime,
        service="scoring",
        service_dir=SERVICE_DIR,
        create_app=create_app,
        ns=ns,
        database=a.settings.database_url,
        migrate=False,
    )
    try:
        yield Replicas(a, b, runtime)
    finally:
        await b.close()
        await a.close()
