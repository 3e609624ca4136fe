"""Two scoring replicas on one fresh database, and reading what they publish."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diaodu_platform.kafka import ensure_topics
from diaodu_testkit.harness import ServiceHarness, TestRuntime, TopicReader, namespace, start_service
from scoring.entrypoints.main import create_app
from scoring.events import CATALOG

SERVICE_DIR = Path(__file__).resolve().parents[2]
SCORING_TYPES = {ev.name: ev.ce_type() for ev in CATALOG}


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

    async def close(self) -> None:
        await self.b.close()
        await self.a.close()


async def start_replicas(runtime: TestRuntime) -> Replicas:
    """Replica a migrates a fresh database; replica b joins it (same topics, same consumer group)."""
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
    return Replicas(a, b, runtime)


async def scoring_events(replicas: Replicas, predicate: Any, *, settle: float = 1.5) -> TopicReader:
    """Read the scoring topic until `predicate` holds, then a little longer to catch any extras."""
    reader = TopicReader(replicas.runtime.bootstrap, replicas.topic("scoring"))
    async with reader:
        await reader.wait_for(lambda _: predicate(reader), timeout=60)
        await asyncio.sleep(settle)
        await reader.poll()
    return reader


def of(reader: TopicReader, name: str) -> list[dict[str, Any]]:
    """The data of every `name` event read, in order."""
    return [json.loads(r.value) for r in reader.of_type(SCORING_TYPES[name])]
