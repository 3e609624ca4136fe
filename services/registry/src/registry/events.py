"""Events the registry publishes on `diaodu.registry.v1` (SPEC §5), with full snapshots so that
other services can build their projections from the events alone."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from diaodu_platform.events import Event, EventCatalog
from diaodu_platform.types import Money


class Procedure(BaseModel):
    """One 前期手续 item of a project."""

    model_config = ConfigDict(frozen=True)
    item: str
    state: str
    date: dt.date | None = None
    note: str | None = None


class ProjectSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)
    project_id: str
    code: str | None
    name: str
    unit_code: str
    stage: str
    build_type: str
    is_industrial: bool
    is_private: bool
    key_level: str | None
    category: str | None
    total_investment: Money
    annual_plan_investment: Money
    plan_year: int
    planned_start: date | None
    planned_completion: date | None
    signed_amount: Money | None
    funds_in_place: Money | None
    is_signed_project: bool
    stats_registered: bool
    stats_registered_on: date | None
    procedures: list[Procedure]
    campaign_id: str | None
    version: int


class UnitRegistered(Event):
    """A 责任单位 was registered."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "unit_registered"
    key_field: ClassVar[str] = "unit_code"
    unit_code: str
    unit_name: str
    kind: str
    parent_code: str | None
    aliases: list[str]


class UnitUpdated(Event):
    """A 责任单位's name, kind, parent or aliases changed."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "unit_updated"
    key_field: ClassVar[str] = "unit_code"
    unit_code: str
    unit_name: str
    kind: str
    parent_code: str | None
    aliases: list[str]
    changed: list[str]


class LeaderAssigned(Event):
    """A 包联领导 was assigned to a unit or a project (keyed by the project id when it has one)."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "leader_assigned"
    key_field: ClassVar[str] = "unit_code"
    assignment_id: int
    leader_id: str
    leader_name: str
    leader_title: str | None
    unit_code: str | None
    project_id: str | None
    role: str

    def key(self) -> str:
        return self.project_id or self.unit_code or self.leader_id


class ProjectRegistered(Event):
    """A project was registered (入库) with every attribute."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "project_registered"
    key_field: ClassVar[str] = "project_id"
    project_id: str
    project: ProjectSnapshot


class ProjectUpdated(Event):
    """A project's attributes changed; `changed` names the fields."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "project_updated"
    key_field: ClassVar[str] = "project_id"
    project_id: str
    project: ProjectSnapshot
    changed: list[str]


class ProjectStageChanged(Event):
    """A project moved along its lifecycle (谋划 → 储备 → 前期 → 在建 → 竣工, or 取消)."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "project_stage_changed"
    key_field: ClassVar[str] = "project_id"
    project_id: str
    unit_code: str
    from_stage: str
    to_stage: str
    reason: str | None
    changed_by: str
    changed_at: datetime


class CampaignCreated(Event):
    """A 行动 (campaign window) was created."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "campaign_created"
    key_field: ClassVar[str] = "campaign_id"
    campaign_id: str
    campaign_name: str
    start_date: date
    end_date: date
    description: str | None


class TargetSet(Event):
    """A 目标任务 was set or changed, for the region or one unit (keyed by unit code or `region`)."""

    service: ClassVar[str] = "registry"
    name: ClassVar[str] = "target_set"
    key_field: ClassVar[str] = "unit_code"
    target_id: int
    metric: str
    period: str
    scope: str
    unit_code: str | None
    campaign_id: str | None
    value: Money
    baseline: Money | None
    growth_pct: Money | None
    note: str | None

    def key(self) -> str:
        return self.unit_code or "region"


CATALOG = EventCatalog(
    "registry",
    [
        UnitRegistered,
        UnitUpdated,
        LeaderAssigned,
        ProjectRegistered,
        ProjectUpdated,
        ProjectStageChanged,
        CampaignCreated,
        TargetSet,
    ],
)
