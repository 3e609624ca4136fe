"""Wiring of the scoring service: `uvicorn scoring.entrypoints.main:app` (port 8004)."""

from __future__ import annotations

from fastapi import FastAPI

from diaodu_platform.app import ServiceSpec, create_service_app
from diaodu_platform.scheduler import Job
from diaodu_platform.settings import ServiceSettings
from scoring.adapters.tables import metadata, platform
from scoring.entrypoints.api import routers
from scoring.entrypoints.consumers import SUBSCRIPTIONS
from scoring.events import CATALOG
from scoring.service_layer.jobs import run_assessment_day, run_milestones, seed_default_policy
from scoring.service_layer.metrics import METRICS_JOB, refresh_at_startup
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

SPEC = ServiceSpec(
    name="scoring",
    title="diaodu scoring (考核评分)",
    description="五个一批 monthly assessment (R9): versioned scoring policies, per-unit scorecards, "
    "rankings, 约谈 of the bottom units, explanations, what-if recomputation, "
    "quarter-end milestones (R10), the target attainment board and the year-end total (年度算总账).",
    version="1.0.0",
    catalog=CATALOG,
    metadata=metadata,
    tables=platform,
    routers=routers,
    subscriptions=SUBSCRIPTIONS,
    unit_of_work=ScoringUnitOfWork,
    jobs=[
        Job("assessment", 30.0, run_assessment_day),
        Job("milestones", 60.0, run_milestones),
        METRICS_JOB,
    ],
    background=[seed_default_policy, refresh_at_startup],
)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ServiceSettings(service="scoring", http_port=8004))


app = create_app()
