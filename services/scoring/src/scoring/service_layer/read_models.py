"""What the scoring API answers: the read models queries and handlers return.

Numbers are written as the API always wrote them (FastAPI's encoder): a Decimal with no decimal
places as a JSON integer, any other as a float; times in ISO 8601 with their offset (+00:00 for
what the database returns, never "Z").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi.encoders import decimal_encoder
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from scoring.domain.policy import Policy, policy_to_dict
from scoring.domain.ranking import PublishedRanking
from scoring.domain.scoring import Scorecard


def _iso(value: datetime) -> str:
    return value.isoformat()


Number = Annotated[
    Decimal,
    PlainSerializer(decimal_encoder, return_type=int | float, when_used="json"),
    WithJsonSchema({"type": "number"}),
]
Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
# Policy figures as stated by users: weights and caps in points, the curve and thresholds in percent.
PolicyFigure = int | float


class PolicyIndicatorOut(BaseModel):
    code: str
    label: str
    weight: PolicyFigure
    cap: PolicyFigure


class PolicyOut(BaseModel):
    """A published policy version (its fields as in PolicyIn, plus the version)."""

    version: int
    name: str
    effective_from: str | None
    indicators: list[PolicyIndicatorOut]
    ranked_kinds: list[str]
    tie_breaks: list[str]
    assessment_day: int
    interview_count: int
    milestone_curve: list[PolicyFigure]
    milestone_metrics: list[str]
    target_period: str
    missing_target: str
    light_thresholds: list[PolicyFigure]

    @classmethod
    def of(cls, policy: Policy) -> PolicyOut:
        return cls.model_validate(policy_to_dict(policy))


class StoredIndicatorOut(BaseModel):
    cap: PolicyFigure
    code: str
    label: str
    weight: PolicyFigure


class PublishedPolicyOut(BaseModel):
    """A policy version as it is stored, with who published it and when.

    Its fields come in the order GET /policies has always answered them: the stored JSONB's order
    (shorter keys first), then `published_by` and `published_at`."""

    name: str
    version: int
    indicators: list[StoredIndicatorOut]
    tie_breaks: list[str]
    ranked_kinds: list[str]
    target_period: str
    assessment_day: int
    effective_from: str | None
    missing_target: str
    interview_count: int
    milestone_curve: list[PolicyFigure]
    light_thresholds: list[PolicyFigure]
    milestone_metrics: list[str]
    published_by: str
    published_at: Timestamp

    @classmethod
    def published(cls, policy: Policy, by: str, at: datetime) -> PublishedPolicyOut:
        return cls.model_validate({**policy_to_dict(policy), "published_by": by, "published_at": at})


class IndicatorScoreOut(BaseModel):
    """One indicator of a scorecard: rate = actual / target, score = min(rate, cap) × weight (R9)."""

    code: str
    label: str
    actual: Number
    target: Number | None
    rate: Number | None
    cap: Number
    weight: Number
    score: Number
    note: str | None


class ScorecardOut(BaseModel):
    rank: int
    unit_code: str
    unit_name: str
    total_score: Number
    indicators: list[IndicatorScoreOut]

    @classmethod
    def of(cls, c: Scorecard) -> ScorecardOut:
        return cls(
            rank=c.rank,
            unit_code=c.unit_code,
            unit_name=c.unit_name,
            total_score=c.total,
            indicators=_indicators(c),
        )


def _indicators(c: Scorecard) -> list[IndicatorScoreOut]:
    """The scorecard's indicator lines, field for field (the label included)."""
    return [IndicatorScoreOut.model_validate(i, from_attributes=True) for i in c.indicators]


class InterviewOut(BaseModel):
    """A unit summoned to a 约谈 (R9) and its leaders."""

    unit_code: str
    # As stored with the ranking (their keys in the order it gives them back).
    leaders: list[dict[str, Any]] = Field(
        description="the unit's 包联/分管 leaders: leader_id, leader_name, leader_title, role, "
        "source_event_id (the leader_assigned event)"
    )


class RankingOut(BaseModel):
    """A published ranking with every unit's scorecard, its policy and its 约谈."""

    ranking_id: int
    month: str
    policy_version: int
    trigger: str
    published_by: str
    published_at: Timestamp
    data_as_of: Timestamp | None
    policy: PolicyOut
    scorecards: list[ScorecardOut]
    interviews: list[InterviewOut]

    @classmethod
    def fields_of(cls, r: PublishedRanking) -> dict[str, Any]:
        return {
            "ranking_id": r.id,
            "month": r.month,
            "policy_version": r.policy.version,
            "trigger": r.trigger,
            "published_by": r.published_by,
            "published_at": r.published_at,
            "data_as_of": r.data_as_of,
            "policy": PolicyOut.of(r.policy),
            "scorecards": [ScorecardOut.of(c) for c in r.cards],
            "interviews": [{"unit_code": code, "leaders": leaders} for code, leaders in r.interviews.items()],
        }

    @classmethod
    def of(cls, r: PublishedRanking) -> RankingOut:
        return cls.model_validate(cls.fields_of(r))


class AssessmentOut(RankingOut):
    """The ranking of an assessment run; `already_published` when this run found it published."""

    already_published: bool

    @classmethod
    def run(cls, r: PublishedRanking, *, created: bool) -> AssessmentOut:
        return cls.model_validate({**cls.fields_of(r), "already_published": not created})


class RankingSummaryOut(BaseModel):
    ranking_id: int
    month: str
    policy_version: int
    trigger: str
    published_by: str
    published_at: Timestamp
    units: int
    bottom_units: list[str]


class UnitScorecardOut(BaseModel):
    """A unit's scorecard in the latest published ranking of a month."""

    month: str
    ranking_id: int
    policy_version: int
    ranked_count: int
    interview: bool
    rank: int
    unit_code: str
    unit_name: str
    total_score: Number
    indicators: list[IndicatorScoreOut]


class ExplainedInputOut(BaseModel):
    """One number that went into an indicator, with the id of the event it came from."""

    kind: str
    ref: str
    label: str
    value: Number
    source_event_id: str | None
    detail: dict[str, Any]


class ExplainedIndicatorOut(BaseModel):
    code: str
    label: str
    formula: str | None
    actual: Number
    target: Number | None
    target_event_id: str | None
    rate: Number | None
    cap: Number
    weight: Number
    score: Number
    score_formula: str
    note: str | None
    inputs: list[ExplainedInputOut]


class ExplainedUnitOut(BaseModel):
    unit_code: str
    unit_name: str
    rank: int
    total_score: Number
    unit_event_id: str | None
    indicators: list[ExplainedIndicatorOut]
    tie_breaks: dict[str, str | Number | None]


class ExplanationOut(BaseModel):
    """A published ranking explained line by line (R9)."""

    ranking_id: int
    month: str
    policy_version: int
    policy: PolicyOut
    published_at: Timestamp
    data_as_of: Timestamp | None
    units: list[ExplainedUnitOut]


class RankMoveOut(BaseModel):
    unit_code: str
    rank_before: int | None
    rank_after: int | None


class RecomputeOut(BaseModel):
    """A published ranking recomputed from its stored policy and inputs alone."""

    ranking_id: int
    month: str
    policy_version: int
    identical: bool
    published: list[ScorecardOut]
    recomputed: list[ScorecardOut]
    changes: list[RankMoveOut]


class WhatIfBaselineOut(BaseModel):
    source: str
    ranking_id: int | None
    policy_version: int
    scorecards: list[ScorecardOut]


class WhatIfAlternativeOut(BaseModel):
    policy: PolicyOut
    inputs_from: str
    as_of: Timestamp | None
    scorecards: list[ScorecardOut]


class RankChangeOut(BaseModel):
    unit_code: str
    unit_name: str
    rank_before: int | None
    rank_after: int | None
    moved: int | None
    score_before: Number | None
    score_after: Number | None


class WhatIfOut(BaseModel):
    """A month under an alternative policy against its baseline; nothing is published."""

    month: str
    published: bool
    baseline: WhatIfBaselineOut
    alternative: WhatIfAlternativeOut
    changes: list[RankChangeOut]
    rank_changed: list[str]


class MilestoneResultOut(BaseModel):
    """One check of a quarter (R10): the region's or a unit's actual against its milestone share."""

    scope: str
    unit_code: str | None
    period: str
    metric: str
    annual_target: Number
    expected_share: Number
    expected_value: Number
    actual: Number
    actual_share: Number | None
    shortfall: Number
    missed: bool
    newly_recorded: bool
    target_event_id: str | None


class MilestoneCheckOut(BaseModel):
    """A recorded milestone check (one per unit or region, quarter and metric)."""

    scope_key: str
    period: str
    metric: str
    missed: bool
    annual_target: Number
    expected_share: Number
    actual: Number
    policy_version: int
    checked_at: Timestamp


class BoardTargetOut(BaseModel):
    target_id: int
    metric: str
    period: str
    scope: str
    unit_code: str | None
    campaign_id: str | None
    target: Number
    actual: Number | None
    share: Number | None
    expected_share: Number
    light: str | None
    target_event_id: str
    note: str | None


class BoardOut(BaseModel):
    """The target attainment board: every target of the year with actual, share and light."""

    year: int
    month: str
    policy_version: int
    targets: list[BoardTargetOut]


class YearMonthOut(BaseModel):
    month: str
    ranking_id: int
    policy_version: int


class YearUnitOut(BaseModel):
    year_rank: int
    unit_code: str
    unit_name: str
    months_assessed: int
    total_score: Number
    average_score: Number
    best_rank: int | None
    worst_rank: int | None
    interviews: int


class YearTotalOut(BaseModel):
    """年度算总账: the year's published rankings added up per unit."""

    year: int
    months: list[YearMonthOut]
    units: list[YearUnitOut]


class ProblemStatsOut(BaseModel):
    """Problems (问题) of one owner unit, from the escalation events."""

    owner_unit: str
    total: int
    open: int
    resolved: int
    major: int
    open_escalated: int
    sla_breaches: int
    escalations: int


class ReportInputOut(BaseModel):
    """The newest revision of a report scoring has applied, and how long it took to arrive."""

    report_id: str
    revision: int
    occurred_at: Timestamp
    received_at: Timestamp
    lag_ms: float


class InputCountsOut(BaseModel):
    report_revisions: int
    reports: int
    unit_returns: int
    problems: int
