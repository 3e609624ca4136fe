"""The assessment's campaign metrics (see docs/operations.md#metrics: dashboards and the
missed-assessment alert).

All of them are stored state, recomputed from the database by every replica: at start-up, by the
`metrics` job, and on the replica that publishes a ranking right after its transaction committed.
- last assessment: when the latest ranking was published (0: never);
- next assessment due: the policy's assessment day (00:00 Asia/Shanghai) of this month while its
  ranking is not published, else of the next month; 0 while there is no target to assess against;
- unit rank and score: each unit of the latest month's ranking, labelled with its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diaodu_platform.logging import get_logger
from diaodu_platform.metrics import ScoringMetrics
from diaodu_platform.scheduler import gauge_refresher
from diaodu_platform.types import SHANGHAI
from scoring.domain.periods import add_months, month_str, parse_month
from scoring.domain.policy import DEFAULT_POLICY
from scoring.domain.ranking import PublishedRanking
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class AssessmentState:
    last_published_at: datetime | None
    next_due: datetime | None
    latest: PublishedRanking | None


async def next_assessment_due(uow: ScoringUnitOfWork, now: datetime) -> datetime | None:
    """When the assessment job next owes a ranking (R9): the one it runs on or after the day."""
    if not await uow.facts.any_target():
        return None  # nothing to assess yet: no assessment is scheduled
    month = month_str(now.year, now.month)
    if await uow.rankings.any_for_month(month):
        month = add_months(month, 1)
    policy = await uow.policies.in_force(month) or DEFAULT_POLICY
    year, mon = parse_month(month)
    return datetime(year, mon, policy.assessment_day, tzinfo=SHANGHAI)


async def assessment_state(uow: ScoringUnitOfWork, now: datetime) -> AssessmentState:
    last = await uow.rankings.last_published_at()
    return AssessmentState(last, await next_assessment_due(uow, now), await uow.rankings.latest())


def show(metrics: ScoringMetrics, state: AssessmentState) -> None:
    """Set every gauge at once (no await between the clear and the sets: a scrape never sees a gap)."""
    metrics.last_assessment.set(state.last_published_at.timestamp() if state.last_published_at else 0)
    metrics.next_assessment_due.set(state.next_due.timestamp() if state.next_due else 0)
    metrics.unit_rank.clear()
    metrics.unit_score.clear()
    if state.latest is None:
        return
    for card in state.latest.cards:
        unit = state.latest.inputs.get(card.unit_code)
        labels = {"unit": card.unit_code, "unit_kind": unit.kind if unit else "unknown"}
        metrics.unit_rank.labels(**labels).set(card.rank)
        metrics.unit_score.labels(**labels).set(float(card.total))


async def refresh(app: Any) -> None:
    """Recompute this replica's gauges from the database (its own: every replica shows them)."""
    metrics: ScoringMetrics | None = app.state.metrics.scoring
    if metrics is None:
        return
    uow: ScoringUnitOfWork
    async with app.state.new_uow() as uow:
        state = await assessment_state(uow, app.state.clock.now())
    show(metrics, state)


async def refresh_after_publish(app: Any) -> None:
    """The publishing replica shows its ranking at once; a failure here must not fail the publish
    (the ranking is committed, and the `metrics` job catches up within a minute)."""
    try:
        await refresh(app)
    except Exception as exc:
        log.warning("campaign metrics not refreshed after publishing", error=str(exc))


METRICS_JOB, refresh_at_startup = gauge_refresher(refresh)
