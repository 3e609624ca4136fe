"""What the registry answers with: the models its handlers and queries return, and their mapping from rows.

The class names are the API's schema names (the OpenAPI document is checked in under contracts/).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

from diaodu_platform.types import Money
from registry.domain.imports.report import Severity
from registry.events import Procedure, ProjectSnapshot

if TYPE_CHECKING:
    from registry.adapters.tables import Campaign, LeaderAssignment, Project, Target, Unit

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


class UnitOut(BaseModel):
    code: str
    name: str
    kind: str
    parent_code: str | None
    aliases: list[str]


class AssignmentOut(BaseModel):
    id: int
    leader_id: str
    unit_code: str | None
    project_id: str | None
    role: str


class LeaderOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Code
    name: Name
    title: str | None = Field(default=None, max_length=200)
    assignments: list[AssignmentOut] = []


class StageChangeOut(BaseModel):
    from_stage: str
    to_stage: str
    reason: str | None
    changed_by: str
    changed_at: str


class ProjectOut(ProjectSnapshot):
    history: list[StageChangeOut] | None = None


class CampaignOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Code
    name: Name
    start_date: date
    end_date: date
    description: str | None = Field(default=None, max_length=2000)


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


# --- the import report (导入) ------------------------------------------------------------------


class Issue(BaseModel):
    """One problem, located as a clerk finds it in the spreadsheet (row 1 is the header)."""

    severity: Severity
    code: str = Field(description="machine-readable kind, e.g. unknown_unit, bad_number, r1_under_allocated")
    message: str
    sheet: str
    row: int | None = None
    column: str | None = Field(default=None, description="the column header as written in the file")
    value: str | None = None
    suggestions: list[str] = []
    related_rows: list[int] = []


class CoverageRow(BaseModel):
    """R1 目标分解 of one campaign, metric and period, with the rows that hold its numbers."""

    campaign_id: str | None
    metric: str
    metric_label: str
    period: str
    regional_target: Money | None
    unit_sum: Money
    unit_count: int
    coverage: Decimal | None
    gap: Money | None
    flag: str
    severity: str
    regional_row: int | None
    unit_rows: list[int]


class SheetSummary(BaseModel):
    """What the import does (dry run) or did (commit) with one sheet."""

    kind: str
    sheet: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportReport(BaseModel):
    kind: str
    filename: str
    dry_run: bool
    committed: bool = False
    error_count: int = 0
    warning_count: int = 0
    sheets: list[SheetSummary] = []
    issues: list[Issue] = []
    coverage: list[CoverageRow] = []


# --- from rows ---------------------------------------------------------------------------------


def unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent_code=unit.parent_code,
        aliases=list(unit.aliases),
    )


def assignment_out(a: LeaderAssignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.id or 0, leader_id=a.leader_id, unit_code=a.unit_code, project_id=a.project_id, role=a.role
    )


def campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.id, name=c.name, start_date=c.start_date, end_date=c.end_date, description=c.description
    )


def target_out(t: Target) -> TargetOut:
    assert t.id is not None
    return TargetOut(
        id=t.id,
        metric=t.metric,
        period=t.period,
        scope=t.scope,
        unit_code=t.unit_code,
        campaign_id=t.campaign_id,
        value=t.value,
        baseline=t.baseline,
        growth_pct=t.growth_pct,
        note=t.note,
    )


def snapshot(p: Project) -> ProjectSnapshot:
    """The project as its events carry it (every attribute)."""
    return ProjectSnapshot(
        project_id=p.id,
        code=p.code,
        name=p.name,
        unit_code=p.unit_code,
        stage=p.stage,
        build_type=p.build_type,
        is_industrial=p.is_industrial,
        is_private=p.is_private,
        key_level=p.key_level,
        category=p.category,
        total_investment=p.total_investment,
        annual_plan_investment=p.annual_plan_investment,
        plan_year=p.plan_year,
        planned_start=p.planned_start,
        planned_completion=p.planned_completion,
        signed_amount=p.signed_amount,
        funds_in_place=p.funds_in_place,
        is_signed_project=p.is_signed_project,
        stats_registered=p.stats_registered,
        stats_registered_on=p.stats_registered_on,
        procedures=[Procedure.model_validate(x) for x in p.procedures],
        campaign_id=p.campaign_id,
        version=p.version,
    )
