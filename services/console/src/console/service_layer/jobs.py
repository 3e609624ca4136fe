"""Scheduled work: forgetting browser sessions past their idle or absolute expiry.

Expired sessions are refused when used whatever this job does (service_layer/sessions.py); the job
only keeps the table small. Deleting twice is harmless, so replicas need no record of a run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.service_layer.sessions import purge_expired
from diaodu_platform.logging import get_logger

log = get_logger(__name__)


async def run_session_purge(app: Any, now: datetime) -> None:
    async with app.state.new_uow() as uow:
        ended = await purge_expired(uow=uow, now=now, policy=app.state.settings.session_policy())
    if ended:
        log.info("expired sessions forgotten", count=ended)
