"""Watching a running service: its tables, its clock, its HTTP answers, its topic and its /metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from diaodu_platform.asyncapi import event_schema
from diaodu_platform.event_types import ce_type
from diaodu_testkit.harness import Record, ServiceHarness, TopicReader, wait_until
from escalation.adapters.tables import LeaderAssignmentView, ProjectView, UnitView
from escalation.events import CATALOG
from escalation_testkit.harness import ESCALATION


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
        if env.data.get("problem_id") == problem_id and (
            name is None or env.type == ce_type(ESCALATION, name)
        ):
            out.append({"type": env.type.split(".")[2], **env.data})
    return out


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
