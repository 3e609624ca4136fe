"""Wiring of the registry service: `uvicorn registry.entrypoints.main:app` (port 8001)."""

from __future__ import annotations

from fastapi import FastAPI

from diaodu_platform.app import ServiceSpec, create_service_app
from diaodu_platform.settings import ServiceSettings
from registry.adapters.tables import metadata, platform
from registry.entrypoints.api import routers
from registry.entrypoints.consumers import SUBSCRIPTIONS
from registry.events import CATALOG
from registry.service_layer.unit_of_work import RegistryUnitOfWork

SPEC = ServiceSpec(
    name="registry",
    title="diaodu registry (项目库)",
    description="Units (责任单位), leaders (包联领导), projects and their lifecycle, campaigns (行动) and "
    "targets (目标任务), with the R1 coverage and R11 reserve-health reports.",
    version="1.0.0",
    catalog=CATALOG,
    metadata=metadata,
    tables=platform,
    routers=routers,
    subscriptions=SUBSCRIPTIONS,
    unit_of_work=RegistryUnitOfWork,
)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return create_service_app(SPEC, settings or ServiceSettings(service="registry", http_port=8001))


app = create_app()
