"""The registry's routes under /api/v1, one module per resource; `routers` in the order they are served."""

from fastapi import APIRouter

from registry.entrypoints.api import campaigns, imports, leaders, projects, reports, targets, units

routers: list[APIRouter] = [
    units.router,
    leaders.router,
    projects.router,
    campaigns.router,
    targets.router,
    reports.router,
    imports.router,
]
