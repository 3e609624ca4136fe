"""Escalation test support: the service on a real PostgreSQL and broker, fed as registry and progress are."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from diaodu_platform.asyncapi import event_schema
from diaodu_platform.events import Envelope, Event
from diaodu_platform.kafka import ensure_topics
from diaodu_platform.settings import ServiceSettings
from diaodu_testkit.harness import (
    Record,
    ServiceHarness,
    TestRuntime,
    TopicReader,
    namespace,
    produce,
    start_service,
    wait_until,
)
from escalation.adapters.tables import LeaderAssignmentView, ProjectView, UnitView
from escalation.entrypoints.main import create_app
from escalation.events import CATALOG
from escalation.settings import escalation_settings
from registry.events import LeaderAssigned, ProjectRegistered, ProjectSnapshot, UnitRegistered

SERVICE_DIR = Path(__file__).resolve().parents[1]
ESCALATION = "escalation"


def fast_app(settings: ServiceSettings) -> FastAPI:
    """The real app, with timer jobs ticking every half second instead of every five."""
    return create_app(escalation_settings(settings, sla_job_interval_s=0.5))


async def start_escalation(
    runtime: TestRuntime,
    *,
    ns: str | None = None,
    database: str | None = None,
) -> ServiceHarness:
    """One escalation replica; with `database` and `ns`, a second replica of an existing one."""
    ns = ns or namespace()
    settings = runtime.settings(ESCALATION, database_url="", namespace=ns)
    # The topics it consumes must exist before its consumer group subscribes.
    await ensure_topics(settings, [settings.topic("registry"), settings.topic("progress")])
    return await start_service(
        runtime,
        service=ESCALATION,
        service_dir=SERVICE_DIR,
        create_app=fast_app,
        ns=ns,
        database=database,
        migrate=database is None,
    )


@pytest.fixture(scope="module")
async def escalation(runtime: TestRuntime) -> AsyncIterator[ServiceHarness]:
    """One replica on a fresh database and its own topics, shared by a module's tests."""
    h = await start_escalation(runtime)
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture(scope="module")
async def replicas(runtime: TestRuntime) -> AsyncIterator[tuple[ServiceHarness, ServiceHarness]]:
    """Two replicas of the service on one database and one topic namespace."""
    h1 = await start_escalation(runtime)
    h2 = await start_escalation(runtime, ns=h1.settings.topic_namespace, database=h1.settings.database_url)
    try:
        yield h1, h2
    finally:
        await h2.close()
        await h1.close()


# --- feeding the service as the registry and the progress service would ------------------------


def _record(env: Envelope) -> tuple[str | None, dict[str, str], bytes]:
    return env.key, env.headers(), env.value()


async def send_registry(h: ServiceHarness, *events: Event) -> None:
    await produce(
        h.settings.kafka_bootstrap, h.settings.topic("registry"), [_record(Envelope.wrap(e)) for e in events]
    )


def progress_envelope(name: str, key: str, data: dict[str, Any], ce_id: str | None = None) -> Envelope:
    """A progress event as that service emits it (CloudEvents headers, JSON value)."""
    event_id = ce_id or str(uuid.uuid4())
    return Envelope(
        id=event_id,
        type=f"diaodu.progress.{name}.v1",
        source="/diaodu/progress",
        time=datetime.now(UTC),
        subject=key,
        data=data,
        correlation_id=event_id,
        key=key,
    )


async def send_progress(h: ServiceHarness, *envelopes: Envelope) -> None:
    await produce(h.settings.kafka_bootstrap, h.settings.topic("progress"), [_record(e) for e in envelopes])


def unit_registered(code: str, name: str, kind: str = "township") -> UnitRegistered:
    return UnitRegistered(unit_code=code, unit_name=name, kind=kind, parent_code=None, aliases=[])


def project_registered(project_id: str, name: str, unit_code: str) -> ProjectRegistered:
    snap = ProjectSnapshot(
        project_id=project_id,
        code=None,
        name=name,
        unit_code=unit_code,
        stage="construction",
        build_type="new",
        is_industrial=True,
        is_private=False,
        key_level="county",
        category=None,
        total_investment=Decimal(50000),
        annual_plan_investment=Decimal(12000),
        plan_year=2024,
        planned_start=None,
        planned_completion=None,
        signed_amount=None,
        funds_in_place=None,
        is_signed_project=False,
        stats_registered=True,
        stats_registered_on=None,
        procedures=[],
        campaign_id=None,
        version=1,
    )
    return ProjectRegistered(project_id=project_id, project=snap)


def leader_assigned(
    assignment_id: int,
    leader_id: str,
    name: str,
    *,
    unit_code: str | None = None,
    project_id: str | None = None,
) -> LeaderAssigned:
    return LeaderAssigned(
        assignment_id=assignment_id,
        leader_id=leader_id,
        leader_name=name,
        leader_title="副县长",
        unit_code=unit_code,
        project_id=project_id,
        role="包联",
    )


async def count(h: ServiceHarness, model: Any) -> int:
    async with h.app.state.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def wait_for_projection(h: ServiceHarness, *, units: int, projects: int, assignments: int) -> None:
    async def ready() -> bool:
        return (
            await count(h, UnitView) >= units
            and await count(h, ProjectView) >= projects
            and await count(h, LeaderAssignmentView) >= assignments
        )

    await wait_until(ready, timeout=60, interval=0.2)


# --- time, HTTP and the topic ------------------------------------------------------------------


async def set_clock(when: str, *harnesses: ServiceHarness) -> None:
    """Move every replica's clock (PUT /ops/clock, which also wakes its timer jobs)."""
    for h in harnesses:
        r = await h.client.put("/api/v1/ops/clock", json={"now": when}, headers=h.auth("admin"))
        assert r.status_code == 200, r.text


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    status: int = 200,
    **kwargs: Any,
) -> Any:
    r = await client.request(method, url, headers=headers, **kwargs)
    assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
    return r.json()


async def outbox_drained(h: ServiceHarness) -> None:
    await wait_until(lambda: _empty_outbox(h), timeout=30, interval=0.1)


async def _empty_outbox(h: ServiceHarness) -> bool:
    return await count(h, h.app.state.tables.outbox) == 0


async def topic_records(h: ServiceHarness, settle_s: float = 0.5) -> list[Record]:
    """Every record on the service's topic once its outbox is drained."""
    await outbox_drained(h)
    async with TopicReader(h.settings.kafka_bootstrap, h.settings.topic(ESCALATION)) as reader:
        last = -1
        while last != len(reader.records):
            last = len(reader.records)
            await reader.poll()
            await asyncio.sleep(settle_s)
        return list(reader.records)


def of_problem(records: list[Record], problem_id: str, name: str | None = None) -> list[dict[str, Any]]:
    """The data of one problem's events (optionally of one type), in topic order."""
    out = []
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        env = r.envelope()
        if env.data.get("problem_id") == problem_id and (name is None or env.type == _ce(name)):
            out.append({"type": env.type.split(".")[2], **env.data})
    return out


def _ce(name: str) -> str:
    return f"diaodu.escalation.{name}.v1"


def assert_every_event_matches_its_schema(records: list[Record]) -> set[str]:
    """SPEC §5: an outside consumer decodes every event from the JSON Schemas alone."""
    import jsonschema

    schemas = {ev.ce_type(): event_schema(ev) for ev in CATALOG}
    seen = set()
    for r in records:
        env = r.envelope()
        assert env.type in schemas, f"{env.type} is not in the escalation contract"
        jsonschema.Draft202012Validator(
            schemas[env.type], format_checker=jsonschema.FormatChecker()
        ).validate(env.data)
        assert r.key == (env.data["project_id"] or env.data["owner_unit"])
        assert env.source == "/diaodu/escalation" and r.headers["ce_specversion"] == "1.0"
        seen.add(env.type)
    return seen


# --- /metrics -----------------------------------------------------------------------------------

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(h: ServiceHarness) -> Samples:
    """Every sample of the replica's /metrics, by (sample name, labels)."""
    r = await h.client.get("/metrics")
    assert r.status_code == 200, r.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


Predicate = Callable[[], Any]


@pytest.fixture(scope="session")
def kit() -> Any:
    """The helpers above, for test modules (conftest is not importable under --import-mode=importlib)."""
    return sys.modules[__name__]
