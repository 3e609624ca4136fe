"""The answers of the progress service: what its queries and handlers return (the API's responses).

`PolicyBody` is also the body of `PUT /policy`: the policy answered is the policy sent, plus its version.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from diaodu_platform.paging import Page
from diaodu_platform.types import Money
from progress.domain.model import AnomalyStatus, ConstructionStatus, FlagRule, Light, LightKind, LightScope
from progress.domain.policy import ScheduleCurve
from progress.events import Enterprise, Procedure

Number = Annotated[Decimal, PlainSerializer(lambda v: float(v), return_type=float, when_used="json")]
Ratio = Annotated[
    Decimal,
    Field(description="share 0..1, 4 places (JSON number)"),
    PlainSerializer(lambda v: float(v), return_type=float, when_used="json"),
]


class AnomalyBrief(BaseModel):
    anomaly_id: str
    rule: FlagRule
    detail: str


class ReportOut(BaseModel):
    report_id: str
    revision: int
    project_id: str
    unit_code: str
    month: str
    investment_month: Money
    investment_ytd: Money
    investment_cumulative: Money
    construction_status: ConstructionStatus
    actual_start_date: date | None
    procedures: list[Procedure]
    stats_registered: bool
    stats_registered_on: date | None
    signed_amount: Money | None
    funds_in_place: Money | None
    narrative: str | None
    attachments: list[str]
    flags: list[FlagRule]
    late: bool
    reason: str | None
    submitted_at: datetime
    submitted_by: str
    anomalies: list[AnomalyBrief] = []


class ReportHistoryOut(BaseModel):
    """A report with every revision, newest first (the original stays readable)."""

    report_id: str
    project_id: str
    unit_code: str
    month: str
    current: ReportOut
    revisions: list[ReportOut]


class AnomalyOut(BaseModel):
    anomaly_id: str
    report_id: str
    revision: int
    project_id: str
    unit_code: str
    month: str
    rule: FlagRule
    detail: str
    figures: dict[str, Any]
    status: AnomalyStatus
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_at: datetime


class UnitReturnOut(BaseModel):
    unit_code: str
    month: str
    revision: int
    above_size_enterprises: list[Enterprise]
    note: str | None
    late: bool
    submitted_at: datetime
    submitted_by: str


class PolicyBody(BaseModel):
    """Configurable numbers of R2–R5; omitted fields keep their defaults."""

    model_config = ConfigDict(extra="forbid")
    due_day: int | None = Field(default=None, ge=1, le=31, description="empty: last day of the month")
    reminder_days_before: int = Field(default=3, ge=0, le=28)
    schedule_curve: ScheduleCurve = ScheduleCurve.LINEAR
    milestones: list[Number] = Field(
        default=[Decimal(18), Decimal(50), Decimal(80), Decimal(100)],
        min_length=4,
        max_length=4,
        description="% at the end of Q1..Q4",
    )
    yellow_from_points: Number = Decimal(10)
    red_above_points: Number = Decimal(30)
    start_red_after_months: int = Field(default=3, ge=0)
    stats_yellow_after_months: int = Field(default=1, ge=0)
    stats_red_after_months: int = Field(default=2, ge=0)
    missing_yellow_months: int = Field(default=1, ge=1)
    missing_red_months: int = Field(default=2, ge=1)
    outlier_factor: Number = Decimal(3)
    outlier_min_months: int = Field(default=3, ge=1)
    scoring_day: int = Field(default=25, ge=1, le=31)
    pre_scoring_window_days: int = Field(default=5, ge=0, le=31)
    pre_scoring_jump_factor: Number = Decimal(2)


class PolicyOut(PolicyBody):
    version: int


class ProjectOut(BaseModel):
    project_id: str
    code: str | None
    name: str
    unit_code: str
    stage: str
    build_type: str
    total_investment: Money
    annual_plan_investment: Money
    plan_year: int
    planned_start: date | None
    stats_registered: bool
    version: int


class LightOut(BaseModel):
    scope: LightScope
    kind: LightKind
    subject: str
    unit_code: str
    month: str
    light: Light
    reason: str
    gap_points: Money | None = None


class MonthEntry(BaseModel):
    """One month of a project's timeline: the current revision and how many there were."""

    month: str
    report: ReportOut | None
    revisions: int
    required: bool
    expected_share: Ratio
    actual_share: Ratio | None
    lights: list[LightOut]


class TimelineOut(BaseModel):
    project: ProjectOut
    year: int
    months: list[MonthEntry]
    open_anomalies: int


class ScheduleOut(BaseModel):
    month: str | None
    expected_share: Ratio
    curve: str
    campaign_id: str | None = None
    at: date | None = None


class ProjectMonthLine(BaseModel):
    project_id: str
    name: str
    required: bool
    report_id: str | None
    revision: int | None
    investment_month: Money | None
    investment_ytd: Money | None
    annual_plan_investment: Money
    late: bool | None
    lights: list[LightOut]


class Totals(BaseModel):
    investment_month: Money
    investment_ytd: Money
    annual_plan_investment: Money
    target: Money | None
    target_source: str
    expected_share: Ratio
    actual_share: Ratio | None
    gap_points: Money | None


class UnitMonthOut(BaseModel):
    unit_code: str
    unit_name: str | None
    month: str
    reports_in: int
    required: int
    missing_project_ids: list[str]
    totals: Totals
    light: LightOut
    projects: Page[ProjectMonthLine]


class UnitLine(BaseModel):
    unit_code: str
    unit_name: str | None
    reports_in: int
    required: int
    missing: int
    investment_ytd: Money
    target: Money | None
    actual_share: Ratio | None
    light: Light
    reason: str


class RegionMonthOut(BaseModel):
    month: str
    reports_in: int
    required: int
    missing: int
    totals: Totals
    lights: dict[str, int]
    units: Page[UnitLine]


class RateOut(BaseModel):
    name: str
    label: str
    numerator: int
    denominator: int
    value: Ratio | None


class RatesOut(BaseModel):
    scope: str
    unit_code: str | None
    at: date
    period_start: date
    projects: int
    rates: list[RateOut]


class UnitRatesOut(BaseModel):
    at: date
    period_start: date
    region: RatesOut
    units: Page[RatesOut]
