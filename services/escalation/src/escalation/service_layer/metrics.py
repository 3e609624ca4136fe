"""The 督查室's campaign metrics (see docs/operations.md#metrics): open problems by level (R8), missed
13710 clocks (R7) and 督办函 issued.

The gauge is recomputed from the database by every replica, at start-up and by the `metrics` job,
so replicas agree (dashboards take max) and a restart loses nothing. The counters count facts once,
after the transaction that recorded them committed: a rolled-back or retried run that recorded
nothing new counts nothing, and a fact settled by another replica is counted there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from diaodu_platform.events import Event
from diaodu_platform.logging import get_logger
from diaodu_platform.metrics import PROBLEM_LEVELS, EscalationMetrics
from diaodu_platform.scheduler import gauge_refresher
from escalation.events import NoticeIssued, SlaBreached

log = get_logger(__name__)


def count_facts(metrics: EscalationMetrics | None, events: Iterable[Event]) -> None:
    """One `sla_breaches` per sla_breached, one `notices_issued` per notice_issued (committed events)."""
    if metrics is None:
        return
    for e in events:
        if isinstance(e, SlaBreached):
            metrics.sla_breaches.labels(clock=e.clock.value, level=str(e.level)).inc()
        elif isinstance(e, NoticeIssued):
            metrics.notices_issued.labels(level=str(e.level)).inc()


async def refresh(app: Any) -> None:
    """Recompute the gauges from the database, every level included (0 when none)."""
    metrics: EscalationMetrics | None = app.state.metrics.escalation
    if metrics is None:
        return
    async with app.state.new_uow() as uow:
        counts = await uow.problems.open_by_level()
    for level in PROBLEM_LEVELS:
        metrics.open_problems.labels(level=level).set(counts.get(int(level), 0))


METRICS_JOB, refresh_at_startup = gauge_refresher(refresh)
