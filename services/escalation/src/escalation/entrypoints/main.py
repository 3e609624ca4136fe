"""Wiring of the escalation service: `uvicorn escalation.entrypoints.main:app` (port 8003)."""

from __future__ import annotations

import dataclasses

from fastapi import FastAPI

from diaodu_platform.app import ServiceSpec, create_service_app
from diaodu_platform.scheduler import Job
from diaodu_platform.settings import ServiceSettings
from escalation.adapters.calendar import prc_calendar
from escalation.adapters.tables import metadata, platform
from escalation.entrypoints.api import routers
from escalation.entrypoints.consumers import SUBSCRIPTIONS
from escalation.events import CATALOG
from escalation.service_layer.clocks import SlaPolicy
from escalation.service_layer.jobs import run_clocks, run_triggers
from escalation.service_layer.metrics import METRICS_JOB, refresh_at_startup
from escalation.service_layer.unit_of_work import EscalationUnitOfWork
from escalation.settings import EscalationSettings, escalation_settings

# The timer engine, ticking every `sla_job_interval_s`; the campaign metrics keep their minute.
TIMER_JOBS = [Job("sla_clocks", 5.0, run_clocks), Job("system_problems", 5.0, run_triggers)]
SPEC = ServiceSpec(
    name="escalation",
    title="diaodu escalation (问题督办)",
    description="Problems (问题) that block projects, from 发现 and 交办 to 销号: the 13710 SLA clocks "
    "on the PRC working-day calendar (R7), the escalation ladder unit → leader → county government "
    "meeting with numbered 督办函 (R8), and the 督查室's lists and bi-weekly dispatch lists.",
    version="1.0.0",
    catalog=CATALOG,
    metadata=metadata,
    tables=platform,
    routers=routers,
    subscriptions=SUBSCRIPTIONS,
    jobs=[*TIMER_JOBS, METRICS_JOB],
    background=[refresh_at_startup],
    unit_of_work=EscalationUnitOfWork,
)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    cfg: EscalationSettings = escalation_settings(settings)
    timers = [dataclasses.replace(j, interval_s=cfg.sla_job_interval_s) for j in TIMER_JOBS]
    spec = dataclasses.replace(SPEC, jobs=[*timers, METRICS_JOB])
    app = create_service_app(spec, cfg)
    # Handlers that start clocks get the calendar and the 13710 rules from here (service_layer/clocks.py).
    app.state.sla = SlaPolicy(
        is_workday=prc_calendar(
            extra_workdays=cfg.calendar_extra_workdays, extra_holidays=cfg.calendar_extra_holidays
        ),
        rules=cfg.sla_rules(),
    )
    return app


app = create_app()
