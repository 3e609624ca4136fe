"""Wiring of the progress service: `uvicorn progress.entrypoints.main:app` (port 8002)."""

from __future__ import annotations

from fastapi import FastAPI

from diaodu_platform.app import ServiceSpec, create_service_app
from diaodu_platform.scheduler import Job
from diaodu_platform.settings import ServiceSettings
from progress.adapters.tables import metadata, platform
from progress.entrypoints.api import routers
from progress.entrypoints.consumers import SUBSCRIPTIONS
from progress.events import CATALOG
from progress.service_layer.jobs import run_deadlines, run_lights
from progress.service_layer.unit_of_work import ProgressUnitOfWork

SPEC = ServiceSpec(
    name="progress",
    title="diaodu progress (进度填报)",
    description="Monthly progress reports (月报) and their revisions, R4 validation and flags, the unit "
    "return of 新增入规企业, the reporting window (R5), schedule (序时进度, R2), lights (亮灯, R3) and the "
    "R6 rates.",
    version="1.0.0",
    catalog=CATALOG,
    metadata=metadata,
    tables=platform,
    routers=routers,
    subscriptions=SUBSCRIPTIONS,
    jobs=[Job("deadlines", 60.0, run_deadlines), Job("lights", 300.0, run_lights)],
    unit_of_work=ProgressUnitOfWork,
)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ServiceSettings(service="progress", http_port=8002))


app = create_app()
