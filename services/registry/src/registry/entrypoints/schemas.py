"""Request and response bodies of the registry API."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from diaodu_platform.types import Money, NonNegativeMoney
from registry.domain.model import (
    BuildType,
    ConstructionStatus,
    KeyLevel,
    Metric,
    ProcedureItem,
    ProcedureState,
    Stage,
    TargetScope,
    UnitKind,
)
from registry.events import Procedure, ProjectSnapshot

Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.\-]+$",
        description="Stable code: letters, digits, _ . -",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Period = Annotated[
    str,
    Field(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?$",
        description="YYYY, YYYY-MM, YYYYQn or YYYYHn",
        examples=["2023Q4"],
    ),
]
T = TypeVar("T")

__all__ = ["ConstructionStatus"]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    name: Name
    kind: UnitKind
    parent_code: Code | None = None
    aliases: list[Name] = []


class UnitPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    kind: UnitKind | None = None
    parent_code: Code | None = None
    aliases: list[Name] | None = None


class UnitOut(BaseModel):
    code: str
    name: str
    kind: str
    parent_code: str | None
    aliases: list[str]


class LeaderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Code
    name: Name
    title: str | None = Field(default=None, max_length=200)


class LeaderOut(LeaderIn):
    assignments: list[AssignmentOut] = []


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_code: Code | None = None
    project_id: str | None = None
    role: str = Field(default="包联", max_length=20, description="包联 or 分管")

    @model_validator(mode="after")
    def _one_target(self) -> AssignmentIn:
        if not (self.unit_code or self.project_id):
            raise ValueError("give unit_code or project_id (or both)")
        return self


class AssignmentOut(BaseModel):
    id: int
    leader_id: str
    unit_code: str | None
    project_id: str | None
    role: str


class ProcedureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: ProcedureItem
    state: ProcedureState = ProcedureState.REQUIRED
    date: dt.date | None = None
    note: str | None = Field(default=None, max_length=500)


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code | None = None
    name: Annotated[str, Field(min_length=1, max_length=300)]
    unit_code: Code
    stage: Stage = Stage.PLANNED
    build_type: BuildType
    is_industrial: bool = False
    is_private: bool = False
    key_level: KeyLevel | None = None
    category: str | None = Field(default=None, max_length=100)
    total_investment: NonNegativeMoney
    annual_plan_investment: NonNegativeMoney = Decimal(0)
    plan_year: int = Field(ge=2000, le=2100)
    planned_start: date | None = None
    planned_completion: date | None = None
    signed_amount: NonNegativeMoney | None = None
    funds_in_place: NonNegativeMoney | None = None
    is_signed_project: bool = False
    stats_registered: bool = False
    stats_registered_on: date | None = None
    procedures: list[ProcedureIn] = []
    campaign_id: Code | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ProjectIn:
        if self.planned_start and self.planned_completion and self.planned_completion < self.planned_start:
            raise ValueError("planned_completion must not be before planned_start")
        if self.annual_plan_investment > self.total_investment:
            raise ValueError("annual_plan_investment must not exceed total_investment")
        if self.stage in (Stage.COMPLETED, Stage.CANCELLED):
            raise ValueError("a new project starts in planned, reserve, preliminary or construction")
        return self


class ProjectPatch(BaseModel):
    """Attribute changes; the stage changes only through POST /projects/{id}/stage."""

    model_config = ConfigDict(extra="forbid")
    code: Code | None = None
    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    build_type: BuildType | None = None
    is_industrial: bool | None = None
    is_private: bool | None = None
    key_level: KeyLevel | None = None
    category: str | None = Field(default=None, max_length=100)
    total_investment: NonNegativeMoney | None = None
    annual_plan_investment: NonNegativeMoney | None = None
    plan_year: int | None = Field(default=None, ge=2000, le=2100)
    planned_start: date | None = None
    planned_completion: date | None = None
    signed_amount: NonNegativeMoney | None = None
    funds_in_place: NonNegativeMoney | None = None
    is_signed_project: bool | None = None
    stats_registered: bool | None = None
    stats_registered_on: date | None = None
    procedures: list[ProcedureIn] | None = None
    campaign_id: Code | None = None


class StageChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: Stage
    reason: str | None = Field(default=None, max_length=1000)


class StageChangeOut(BaseModel):
    from_stage: str
    to_stage: str
    reason: str | None
    changed_by: str
    changed_at: str


class ProjectOut(ProjectSnapshot):
    history: list[StageChangeOut] | None = None


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Code
    name: Name
    start_date: date
    end_date: date
    description: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _window(self) -> CampaignIn:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class CampaignOut(CampaignIn):
    pass


class TargetIn(BaseModel):
    """One 目标任务; a growth target (同比增长) gives baseline and growth_pct and may omit value."""

    model_config = ConfigDict(extra="forbid")
    metric: Metric
    period: Period
    scope: TargetScope
    unit_code: Code | None = None
    campaign_id: Code | None = None
    value: Money | None = None
    baseline: NonNegativeMoney | None = None
    growth_pct: Money | None = None
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _shape(self) -> TargetIn:
        if self.scope is TargetScope.UNIT and not self.unit_code:
            raise ValueError("a unit target needs unit_code")
        if self.scope is TargetScope.REGION and self.unit_code:
            raise ValueError("a region target has no unit_code")
        if (self.baseline is None) != (self.growth_pct is None):
            raise ValueError("a growth target needs both baseline and growth_pct")
        if self.value is None and self.baseline is None:
            raise ValueError("give value, or baseline and growth_pct")
        if self.value is not None and self.value < 0:
            raise ValueError("value must not be negative")
        return self


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: list[TargetIn] = Field(min_length=1, max_length=5000)


class TargetOut(BaseModel):
    id: int
    metric: str
    period: str
    scope: str
    unit_code: str | None
    campaign_id: str | None
    value: Money
    baseline: Money | None
    growth_pct: Money | None
    note: str | None


class TargetsUpsertOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    targets: list[TargetOut]


class CoverageOut(BaseModel):
    metric: str
    period: str
    regional_target: Money | None
    unit_sum: Money
    unit_count: int
    coverage: Decimal | None
    gap: Money | None
    flag: str
    severity: str


class BandOut(BaseModel):
    band: str
    count: int
    target: int | None
    met: bool | None


class ReserveHealthOut(BaseModel):
    year: int
    unit_code: str | None
    reserve_total: Money
    planned_investment: Money
    planned_investment_source: str
    multiple: Decimal | None
    required_multiple: Decimal
    healthy: bool
    project_count: int
    bands: list[BandOut]


LeaderOut.model_rebuild()
__all__ += ["Procedure"]
