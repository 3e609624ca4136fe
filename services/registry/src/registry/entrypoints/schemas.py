"""Request bodies of the registry API: each checks a request and turns it into the handler's command.

The answers are the read models of service_layer/read_models.py. `validate_row` holds a spreadsheet
row to the very same constraints as the request it stands for, and builds the same command from it
(the import, service_layer/imports.py).
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from diaodu_platform.types import Money, NonNegativeMoney
from registry.domain.imports.checks import Invalid
from registry.domain.imports.vocabulary import Kind
from registry.domain.model import (
    BuildType,
    KeyLevel,
    Metric,
    ProcedureItem,
    ProcedureState,
    Stage,
    TargetScope,
    UnitKind,
)
from registry.service_layer import commands as c
from registry.service_layer.read_models import Code, Name

Period = Annotated[
    str,
    Field(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?$",
        description="YYYY, YYYY-MM, YYYYQn or YYYYHn",
        examples=["2023Q4"],
    ),
]


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    name: Name
    kind: UnitKind
    parent_code: Code | None = None
    aliases: list[Name] = []

    def command(self) -> c.RegisterUnit:
        return c.RegisterUnit(self.code, self.name, self.kind, self.parent_code, tuple(self.aliases))


class UnitPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    kind: UnitKind | None = None
    parent_code: Code | None = None
    aliases: list[Name] | None = None

    def command(self, code: str) -> c.UpdateUnit:
        return c.UpdateUnit(code=code, changes=self.model_dump(exclude_unset=True))


class LeaderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Code
    name: Name
    title: str | None = Field(default=None, max_length=200)

    def command(self) -> c.AddLeader:
        return c.AddLeader(self.id, self.name, self.title)


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

    def command(self, leader_id: str) -> c.AssignLeader:
        return c.AssignLeader(leader_id, self.unit_code, self.project_id, self.role)


class ProcedureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: ProcedureItem
    state: ProcedureState = ProcedureState.REQUIRED
    date: dt.date | None = None
    note: str | None = Field(default=None, max_length=500)

    def line(self) -> c.ProcedureLine:
        return c.ProcedureLine(self.item, self.state, self.date, self.note)


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

    def command(self) -> c.RegisterProject:
        fields = {f: getattr(self, f) for f in type(self).model_fields}
        return c.RegisterProject(**{**fields, "procedures": tuple(p.line() for p in self.procedures)})


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

    def command(self, project_id: str) -> c.UpdateProject:
        given = self.model_fields_set
        changes = {f: getattr(self, f) for f in type(self).model_fields if f in given}
        if "procedures" in changes:  # `null` clears the list
            changes["procedures"] = tuple(p.line() for p in self.procedures or [])
        return c.UpdateProject(project_id=project_id, changes=changes)


class StageChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: Stage
    reason: str | None = Field(default=None, max_length=1000)

    def command(self, project_id: str) -> c.ChangeStage:
        return c.ChangeStage(project_id, self.stage, self.reason)


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

    def command(self) -> c.CreateCampaign:
        return c.CreateCampaign(self.id, self.name, self.start_date, self.end_date, self.description)


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

    def command(self) -> c.SetTarget:
        return c.SetTarget(**{f: getattr(self, f) for f in type(self).model_fields})


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: list[TargetIn] = Field(min_length=1, max_length=5000)

    def command(self) -> c.UpsertTargets:
        return c.UpsertTargets(tuple(t.command() for t in self.targets))


_ROW_MODELS: dict[Kind, type[CampaignIn | UnitIn | ProjectIn | TargetIn]] = {
    Kind.CAMPAIGNS: CampaignIn,
    Kind.UNITS: UnitIn,
    Kind.PROJECTS: ProjectIn,
    Kind.TARGETS: TargetIn,
}


def validate_row(
    kind: Kind, data: dict[str, Any]
) -> c.CreateCampaign | c.RegisterUnit | c.RegisterProject | c.SetTarget:
    """A spreadsheet row's command, as the request for the same command would give it, or `Invalid`."""
    try:
        request = _ROW_MODELS[kind].model_validate(data)
    except ValidationError as exc:
        raise Invalid([(tuple(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]) from exc
    return request.command()
