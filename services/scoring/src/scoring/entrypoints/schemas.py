"""Request bodies of the scoring API and the commands they make (the answers: service_layer.read_models)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from diaodu_platform.types import SHANGHAI
from scoring.domain.policy import MILESTONE_METRICS_DEFAULT, IndicatorSpec, Policy
from scoring.service_layer.commands import CheckMilestones, PublishPolicy, RunAssessment, WhatIf

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM", examples=["2024-03"])]
Quarter = Annotated[str, Field(pattern=r"^\d{4}Q[1-4]$", description="YYYYQn", examples=["2024Q1"])]


class IndicatorCode(StrEnum):
    signing_rate = "signing_rate"  # 签约率
    landing_rate = "landing_rate"  # 落地率
    funds_rate = "funds_rate"  # 资金到位率
    investment_rate = "investment_rate"  # 入库投资率
    enterprise_rate = "enterprise_rate"  # 入规企业数


class UnitKind(StrEnum):
    township = "township"
    department = "department"
    enterprise = "enterprise"
    zone = "zone"


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: IndicatorCode
    weight: Annotated[Decimal, Field(ge=0, le=1000, description="points for a rate of 100 %")]
    cap: Annotated[
        Decimal, Field(gt=0, le=10, description="the rate counts at most this much (1.2 = 120 %)")
    ] = Decimal("1.2")


class PolicyIn(BaseModel):
    """A new scoring policy version (考核办法); every field but name and indicators has the R9 default."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200)]
    effective_from: Month | None = Field(
        default=None, description="first month it applies to; none = at once"
    )
    indicators: Annotated[list[IndicatorIn], Field(min_length=1)]
    ranked_kinds: Annotated[list[UnitKind], Field(min_length=1)] = [UnitKind.township]
    tie_breaks: list[str] = Field(
        default=["investment_rate", "unit_code"],
        description="indicator codes (higher rate first) or unit_code",
    )
    assessment_day: Annotated[int, Field(ge=1, le=28)] = 25
    interview_count: Annotated[int, Field(ge=0, le=50)] = 3
    milestone_curve: Annotated[
        list[Annotated[Decimal, Field(ge=0, le=100)]], Field(min_length=4, max_length=4)
    ] = [Decimal(18), Decimal(50), Decimal(80), Decimal(100)]
    milestone_metrics: list[str] = list(MILESTONE_METRICS_DEFAULT)
    target_period: Literal["year", "quarter"] = "year"
    missing_target: Literal["zero", "full"] = "zero"
    light_thresholds: Annotated[list[Annotated[Decimal, Field(ge=0)]], Field(min_length=2, max_length=2)] = [
        Decimal(10),
        Decimal(30),
    ]

    def to_policy(self) -> Policy:
        return Policy(
            version=0,
            name=self.name,
            effective_from=self.effective_from,
            indicators=tuple(IndicatorSpec(str(i.code), i.weight, i.cap) for i in self.indicators),
            ranked_kinds=tuple(str(k) for k in self.ranked_kinds),
            tie_breaks=tuple(self.tie_breaks),
            assessment_day=self.assessment_day,
            interview_count=self.interview_count,
            milestone_curve=tuple(s / 100 for s in self.milestone_curve),
            milestone_metrics=tuple(self.milestone_metrics),
            target_period=self.target_period,
            missing_target=self.missing_target,
            light_thresholds=(self.light_thresholds[0], self.light_thresholds[1]),
        )

    def to_command(self) -> PublishPolicy:
        return PublishPolicy(draft=self.to_policy())


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: Month
    policy_version: int | None = Field(
        default=None, description="default: the version in force for the month"
    )

    def to_command(self) -> RunAssessment:
        return RunAssessment(month=self.month, policy_version=self.policy_version)


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: Month
    policy_version: int | None = Field(default=None, description="another published version")
    weights: dict[IndicatorCode, Annotated[Decimal, Field(ge=0, le=1000)]] | None = Field(
        default=None, description='override some weights, e.g. {"investment_rate": 40}'
    )
    as_of: datetime | date | None = Field(
        default=None,
        description="use the data as of this time (a date means the end of that day, Asia/Shanghai)",
    )

    def to_command(self) -> WhatIf:
        return WhatIf(
            month=self.month,
            policy_version=self.policy_version,
            weights={str(k): v for k, v in (self.weights or {}).items()} or None,
            as_of=_instant(self.as_of),
        )


def _instant(value: datetime | date | None) -> datetime | None:
    """A time without a zone is Asia/Shanghai's; a date is the end of that day there."""
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or SHANGHAI) if value else None
    return datetime.combine(value, time.max, SHANGHAI)


class MilestoneCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Quarter

    def to_command(self) -> CheckMilestones:
        return CheckMilestones(period=self.period)
