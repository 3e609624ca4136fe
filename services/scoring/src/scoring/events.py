"""Events the scoring service publishes on `diaodu.scoring.v1` (SPEC §5, R9, R10).

Keys (docs/event-contracts.md): `policy_published` → "policy"; `ranking_published` → "ranking";
`scorecard_computed`, `interview_required`, `milestone_missed` → the unit code (or "region").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, PlainSerializer

from diaodu_platform.events import Event, EventCatalog

# Rates, shares and counts travel as JSON numbers, like money (docs/event-contracts.md).
Number = Annotated[Decimal, PlainSerializer(lambda v: float(v), return_type=float, when_used="json")]


class IndicatorLine(BaseModel):
    """One 五个一批 indicator of a scorecard: rate = actual / target, score = min(rate, cap) × weight."""

    model_config = ConfigDict(frozen=True)
    code: str
    label: str
    actual: Number | None
    target: Number | None
    rate: Number | None
    cap: Number
    weight: Number
    score: Number
    note: str | None = None


class RankedUnit(BaseModel):
    model_config = ConfigDict(frozen=True)
    rank: int
    unit_code: str
    unit_name: str
    total_score: Number


class LeaderRef(BaseModel):
    model_config = ConfigDict(frozen=True)
    leader_id: str
    leader_name: str
    leader_title: str | None = None
    role: str


class PolicyPublished(Event):
    """A new version of the scoring policy (考核办法) was published; published versions never change."""

    service: ClassVar[str] = "scoring"
    name: ClassVar[str] = "policy_published"
    key_field: ClassVar[str] = "policy"
    policy_version: int
    policy_name: str
    effective_from: str | None
    published_by: str
    published_at: datetime
    policy: dict[str, Any]

    def key(self) -> str:
        return "policy"


class ScorecardComputed(Event):
    """A unit's monthly 五个一批 scorecard was computed as part of a published ranking."""

    service: ClassVar[str] = "scoring"
    name: ClassVar[str] = "scorecard_computed"
    key_field: ClassVar[str] = "unit_code"
    ranking_id: int
    month: str
    policy_version: int
    unit_code: str
    unit_name: str
    rank: int
    ranked_count: int
    total_score: Number
    indicators: list[IndicatorLine]


class RankingPublished(Event):
    """The monthly ranking (排名通报) of the assessed units was published."""

    service: ClassVar[str] = "scoring"
    name: ClassVar[str] = "ranking_published"
    key_field: ClassVar[str] = "ranking"
    ranking_id: int
    month: str
    policy_version: int
    trigger: str
    published_at: datetime
    ranking: list[RankedUnit]
    bottom_units: list[str]

    def key(self) -> str:
        return "ranking"


class InterviewRequired(Event):
    """A unit ranked in the bottom places is summoned to a 约谈 with its leaders (R9)."""

    service: ClassVar[str] = "scoring"
    name: ClassVar[str] = "interview_required"
    key_field: ClassVar[str] = "unit_code"
    ranking_id: int
    month: str
    policy_version: int
    unit_code: str
    unit_name: str
    rank: int
    ranked_count: int
    total_score: Number
    leaders: list[LeaderRef]
    reason: str


class MilestoneMissed(Event):
    """At a quarter end the region or a unit is below its milestone share of an annual target (R10)."""

    service: ClassVar[str] = "scoring"
    name: ClassVar[str] = "milestone_missed"
    key_field: ClassVar[str] = "unit_code"
    scope: str
    unit_code: str | None
    year: int
    quarter: int
    period: str
    metric: str
    annual_target: Number
    expected_share: Number
    expected_value: Number
    actual: Number
    actual_share: Number | None
    shortfall: Number
    target_event_id: str | None
    policy_version: int

    def key(self) -> str:
        return self.unit_code or "region"


CATALOG = EventCatalog(
    "scoring", [PolicyPublished, ScorecardComputed, RankingPublished, InterviewRequired, MilestoneMissed]
)
