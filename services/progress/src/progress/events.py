"""Events the progress service publishes on `diaodu.progress.v1` (SPEC §5, docs/event-contracts.md)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from diaodu_platform.events import Event, EventCatalog
from diaodu_platform.types import Money
from progress.domain.model import (
    AnomalyStatus,
    ConstructionStatus,
    FlagRule,
    Light,
    LightKind,
    LightScope,
    ProcedureItem,
    ProcedureState,
)


class Procedure(BaseModel):
    """One 前期手续 item as the report states it."""

    model_config = ConfigDict(frozen=True)
    item: ProcedureItem
    state: ProcedureState
    date: dt.date | None = None


class Enterprise(BaseModel):
    """An enterprise newly above designated size (新增入规企业), with the day it entered."""

    model_config = ConfigDict(frozen=True)
    name: str
    date: dt.date


class ReportSubmitted(Event):
    """A unit submitted a project's monthly progress report (月报), first revision."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "report_submitted"
    key_field: ClassVar[str] = "project_id"
    report_id: str
    project_id: str
    unit_code: str
    month: str
    revision: int
    investment_month: Money
    investment_ytd: Money
    investment_cumulative: Money
    construction_status: ConstructionStatus
    actual_start_date: dt.date | None
    stats_registered: bool
    stats_registered_on: dt.date | None
    signed_amount: Money | None
    funds_in_place: Money | None
    procedures: list[Procedure]
    narrative: str | None
    attachments: list[str]
    submitted_at: datetime
    submitted_by: str
    late: bool
    flags: list[FlagRule]


class ReportRevised(ReportSubmitted):
    """A report was corrected: a new revision with a reason; earlier revisions stay readable."""

    name: ClassVar[str] = "report_revised"
    reason: str
    previous_revision: int


class UnitReturnSubmitted(Event):
    """A unit's monthly return (单位月报): the enterprises newly above designated size (R9)."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "unit_return_submitted"
    key_field: ClassVar[str] = "unit_code"
    unit_code: str
    month: str
    revision: int
    above_size_enterprises: list[Enterprise]
    submitted_at: datetime
    submitted_by: str
    late: bool


class ReportReminderDue(Event):
    """A unit still misses reports for a month whose due date is near (R5)."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "report_reminder_due"
    key_field: ClassVar[str] = "unit_code"
    unit_code: str
    month: str
    due_date: dt.date
    missing_project_ids: list[str]


class ReportOverdue(Event):
    """A project's report for a month was not in at the deadline (R5); one per project and month."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "report_overdue"
    key_field: ClassVar[str] = "project_id"
    project_id: str
    unit_code: str
    month: str
    due_date: dt.date


class LightChanged(Event):
    """A project's or a unit's light (亮灯, R3) changed; emitted only on a change."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "light_changed"
    key_field: ClassVar[str] = "project_id"
    scope: LightScope
    project_id: str | None
    unit_code: str
    month: str
    kind: LightKind
    previous: Light | None
    light: Light
    reason: str
    gap_points: Money | None

    def key(self) -> str:
        return self.project_id if self.scope is LightScope.PROJECT and self.project_id else self.unit_code


class AnomalyFlagged(Event):
    """A report was accepted but a figure looks wrong (R4: 超概算, outlier, pre-scoring jump, ...)."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "anomaly_flagged"
    key_field: ClassVar[str] = "project_id"
    anomaly_id: str
    report_id: str
    revision: int
    project_id: str
    unit_code: str
    month: str
    rule: FlagRule
    detail: str
    figures: dict[str, Any]


class AnomalyReviewed(Event):
    """The campaign office reviewed a flagged figure: confirmed (to correct) or dismissed (it is right)."""

    service: ClassVar[str] = "progress"
    name: ClassVar[str] = "anomaly_reviewed"
    key_field: ClassVar[str] = "project_id"
    anomaly_id: str
    report_id: str
    project_id: str
    unit_code: str
    month: str
    rule: FlagRule
    status: AnomalyStatus
    note: str | None
    reviewed_by: str
    reviewed_at: datetime


CATALOG = EventCatalog(
    "progress",
    [
        ReportSubmitted,
        ReportRevised,
        UnitReturnSubmitted,
        ReportReminderDue,
        ReportOverdue,
        LightChanged,
        AnomalyFlagged,
        AnomalyReviewed,
    ],
)
