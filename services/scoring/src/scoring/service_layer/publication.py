"""The events of a published ranking (R9): every scorecard, the ranking, and each 约谈."""

from __future__ import annotations

from collections.abc import Sequence

from diaodu_platform.events import Event
from scoring.domain.ranking import PublishedRanking
from scoring.domain.scoring import Scorecard
from scoring.events import (
    IndicatorLine,
    InterviewRequired,
    LeaderRef,
    RankedUnit,
    RankingPublished,
    ScorecardComputed,
)


def _line(c: Scorecard) -> list[IndicatorLine]:
    """The scorecard's indicator lines, field for field (the label included)."""
    return [IndicatorLine.model_validate(i, from_attributes=True) for i in c.indicators]


def _scorecards(r: PublishedRanking) -> list[ScorecardComputed]:
    n = len(r.cards)
    return [
        ScorecardComputed(
            ranking_id=r.id,
            month=r.month,
            policy_version=r.policy.version,
            unit_code=c.unit_code,
            unit_name=c.unit_name,
            rank=c.rank,
            ranked_count=n,
            total_score=c.total,
            indicators=_line(c),
        )
        for c in r.cards
    ]


def _ranking(r: PublishedRanking, summoned: Sequence[Scorecard]) -> RankingPublished:
    return RankingPublished(
        ranking_id=r.id,
        month=r.month,
        policy_version=r.policy.version,
        trigger=r.trigger,
        published_at=r.published_at,
        ranking=[
            RankedUnit(rank=c.rank, unit_code=c.unit_code, unit_name=c.unit_name, total_score=c.total)
            for c in r.cards
        ],
        bottom_units=[c.unit_code for c in summoned],
    )


def _interviews(r: PublishedRanking, summoned: Sequence[Scorecard]) -> list[InterviewRequired]:
    n = len(r.cards)
    return [
        InterviewRequired(
            ranking_id=r.id,
            month=r.month,
            policy_version=r.policy.version,
            unit_code=c.unit_code,
            unit_name=c.unit_name,
            rank=c.rank,
            ranked_count=n,
            total_score=c.total,
            leaders=[
                LeaderRef(
                    leader_id=x["leader_id"],
                    leader_name=x["leader_name"],
                    leader_title=x["leader_title"],
                    role=x["role"],
                )
                for x in r.interviews.get(c.unit_code, [])
            ],
            reason=f"{r.month} 五个一批考核 ranked {c.rank} of {n} (bottom {r.policy.interview_count}): 约谈",
        )
        for c in summoned
    ]


def ranking_events(r: PublishedRanking, summoned: Sequence[Scorecard]) -> list[Event]:
    """`scorecard_computed` per unit, `ranking_published`, then `interview_required` per summoned unit."""
    return [*_scorecards(r), _ranking(r, summoned), *_interviews(r, summoned)]
