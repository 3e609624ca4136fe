"""Feeding the service as the registry and the progress service would: records on their topics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from diaodu_platform.event_types import ce_type
from diaodu_platform.events import Envelope, Event
from diaodu_testkit.harness import ServiceHarness, produce
from registry.events import LeaderAssigned, ProjectRegistered, ProjectSnapshot, UnitRegistered


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
        type=ce_type("progress", name),
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
