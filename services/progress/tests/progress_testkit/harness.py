"""The progress service on the real PostgreSQL and broker: start it, feed it registry events, read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text

from diaodu_platform.event_types import ce_type
from diaodu_platform.events import Envelope, Event
from diaodu_platform.types import SHANGHAI
from diaodu_testkit.harness import ServiceHarness, TestRuntime, produce, start_service, wait_until
from progress.entrypoints.main import create_app
from registry.events import (
    CampaignCreated,
    ProjectRegistered,
    ProjectSnapshot,
    TargetSet,
    UnitRegistered,
)

SERVICE_DIR = Path(__file__).resolve().parents[2]
REGISTRY_DIR = SERVICE_DIR.parent / "registry"
# Months in the tests lie after the real date, so projects registered now owe reports for them.
YEAR = datetime.now(SHANGHAI).year + 1


def at(month: int, day: int, hour: int = 10, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


async def start_progress(runtime: TestRuntime, **kwargs: Any) -> ServiceHarness:
    return await start_service(
        runtime, service="progress", service_dir=SERVICE_DIR, create_app=create_app, **kwargs
    )


@dataclass
class RegistryFeed:
    """Publishes registry events onto the namespace's registry topic and waits for the projection."""

    harness: ServiceHarness
    pending: list[Event] = field(default_factory=list)

    def unit(self, code: str, name: str | None = None, kind: str = "township") -> str:
        self.pending.append(
            UnitRegistered(
                unit_code=code, unit_name=name or f"{code}镇", kind=kind, parent_code=None, aliases=[]
            )
        )
        return code

    def project(
        self,
        unit_code: str,
        *,
        build_type: str = "continuing",
        stage: str = "construction",
        total: str = "10000",
        plan: str = "1200",
        plan_year: int = YEAR,
        planned_start: date | None = None,
        stats_registered: bool = False,
        procedures: list[dict[str, Any]] | None = None,
        version: int = 1,
        project_id: str | None = None,
        name: str | None = None,
    ) -> str:
        pid = project_id or str(uuid.uuid4())
        snapshot = ProjectSnapshot(
            project_id=pid,
            code=None,
            name=name or f"项目-{pid[:8]}",
            unit_code=unit_code,
            stage=stage,
            build_type=build_type,
            is_industrial=False,
            is_private=False,
            key_level=None,
            category=None,
            total_investment=Decimal(total),
            annual_plan_investment=Decimal(plan),
            plan_year=plan_year,
            planned_start=planned_start,
            planned_completion=None,
            signed_amount=None,
            funds_in_place=None,
            is_signed_project=False,
            stats_registered=stats_registered,
            stats_registered_on=None,
            procedures=procedures or [],
            campaign_id=None,
            version=version,
        )
        self.pending.append(ProjectRegistered(project_id=pid, project=snapshot))
        return pid

    def target(
        self,
        unit_code: str | None,
        value: str,
        *,
        metric: str = "fixed_asset_investment",
        period: str = str(YEAR),
        target_id: int | None = None,
    ) -> None:
        self.pending.append(
            TargetSet(
                target_id=target_id or uuid.uuid4().int % 1_000_000_000,
                metric=metric,
                period=period,
                scope="unit" if unit_code else "region",
                unit_code=unit_code,
                campaign_id=None,
                value=Decimal(value),
                baseline=None,
                growth_pct=None,
                note=None,
            )
        )

    def campaign(self, campaign_id: str, start: date, end: date) -> None:
        self.pending.append(
            CampaignCreated(
                campaign_id=campaign_id,
                campaign_name=campaign_id,
                start_date=start,
                end_date=end,
                description=None,
            )
        )

    async def send(self) -> None:
        """Publish what is pending and wait until the service has applied every event (its inbox)."""
        events, self.pending = self.pending, []
        envs = [Envelope.wrap(e) for e in events]
        s = self.harness.settings
        await produce(
            s.kafka_bootstrap, s.topic("registry"), [(env.key, env.headers(), env.value()) for env in envs]
        )
        ids = [env.id for env in envs]

        async def applied() -> bool:
            async with self.harness.app.state.engine.connect() as conn:
                query = text("SELECT count(*) FROM inbox WHERE event_id = ANY(:ids)")
                return (await conn.execute(query, {"ids": ids})).scalar_one() == len(ids)

        await wait_until(applied, timeout=60)


class Published:
    """The progress topic as a consumer sees it, read after the outbox has drained."""

    def __init__(self, harness: ServiceHarness) -> None:
        self.harness = harness

    async def drained(self, timeout: float = 20) -> None:
        async def empty() -> bool:
            async with self.harness.app.state.engine.connect() as conn:
                return (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one() == 0

        await wait_until(empty, timeout=timeout)

    async def all(self, name: str, **where: Any) -> list[Envelope]:
        """Every `name` event on the topic whose data matches `where`, once everything staged is published."""
        await self.drained()
        s = self.harness.settings
        consumer = AIOKafkaConsumer(
            bootstrap_servers=s.kafka_bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=10,
        )
        await consumer.start()
        try:
            tps = [TopicPartition(s.topic("progress"), p) for p in range(s.topic_partitions)]
            consumer.assign(tps)
            await consumer.seek_to_beginning()
            end = await consumer.end_offsets(tps)
            out: list[Envelope] = []
            while any([await consumer.position(tp) < end[tp] for tp in tps]):
                for msgs in (await consumer.getmany(timeout_ms=200)).values():
                    for m in msgs:
                        env = Envelope.from_kafka(headers=m.headers, value=m.value, key=m.key)
                        if env.type == ce_type("progress", name) and all(
                            env.data.get(k) == v for k, v in where.items()
                        ):
                            out.append(env)
            return out
        finally:
            await consumer.stop()
