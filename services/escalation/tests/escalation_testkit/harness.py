"""Starting the escalation service on the real runtime (PostgreSQL + broker) for integration tests."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from diaodu_platform.kafka import ensure_topics
from diaodu_platform.settings import ServiceSettings
from diaodu_testkit.harness import ServiceHarness, TestRuntime, namespace, start_service
from escalation.entrypoints.main import create_app
from escalation.settings import escalation_settings

SERVICE_DIR = Path(__file__).resolve().parents[2]
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
