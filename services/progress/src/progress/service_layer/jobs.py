"""Scheduled work, each run in one unit of work: the reporting deadlines (R5) and the lights (R3).

Both run under the scheduler's advisory lock and record what they emitted under unique keys, so
replicas and reruns never emit a fact twice (service_layer/deadlines.py, service_layer/lights.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from diaodu_platform.logging import get_logger
from progress.service_layer.commands import EvaluateLights
from progress.service_layer.deadlines import check_deadlines
from progress.service_layer.lights import evaluate_lights

log = get_logger(__name__)


async def run_deadlines(app: Any, now: datetime) -> None:
    async with app.state.new_uow() as uow:
        events = await check_deadlines(uow=uow, now=now)
    if events:
        log.info("deadline facts emitted", count=len(events))


async def run_lights(app: Any, now: datetime) -> None:
    async with app.state.new_uow() as uow:
        changes = await evaluate_lights(uow=uow, cmd=EvaluateLights(), now=now)
    if changes:
        log.info("lights changed", month=changes[0].month, count=len(changes))
