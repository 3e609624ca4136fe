"""Progress routes under /api/v1, one module per resource: thin, each parses, calls one handler or
query and maps the result. The order is the order of the OpenAPI document."""

from __future__ import annotations

from progress.entrypoints.api import (
    anomalies,
    lights,
    months,
    policy,
    projects,
    rates,
    reports,
    schedule,
    unit_returns,
)

routers = [
    reports.router,
    anomalies.router,
    unit_returns.router,
    projects.router,
    months.router,
    lights.router,
    rates.router,
    schedule.router,
    policy.router,
]
