"""Request and response bodies of the escalation API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from escalation.domain.model import Category, Severity, Source, Status, Trigger
from escalation.events import HistoryEntry

Code = Annotated[
    str,
    Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", description="a unit code as registered"
    ),
]
Note = Annotated[str, Field(min_length=2, max_length=4000)]
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class ProblemIn(BaseModel):
    """发现: a unit reports a problem blocking a project (or the unit itself)."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=2, max_length=300)]
    description: str | None = Field(default=None, max_length=4000)
    category: Category
    severity: Severity = Severity.ORDINARY
    project_id: str | None = Field(default=None, max_length=64)
    unit_code: Code | None = Field(
        default=None,
        description="the raising (and provisional owning) unit; "
        "a reporter's own unit by default, else the project's unit",
    )
    responsible_person: str | None = Field(default=None, max_length=100, description="责任人")
    co_units: list[Code] = Field(default=[], description="协办单位")


class AssignIn(BaseModel):
    """交办: name the owning unit and start the 13710 clocks."""

    model_config = ConfigDict(extra="forbid")
    owner_unit: Code | None = Field(default=None, description="default: the unit that raised it")
    responsible_person: str | None = Field(default=None, max_length=100)
    co_units: list[Code] | None = None
    deadline: date | None = Field(default=None, description="an earlier resolve deadline than 13710 gives")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=4000)


class PlanIn(BaseModel):
    """A major problem's timeline and plan (R7: resolved within 1 month, or else a plan)."""

    model_config = ConfigDict(extra="forbid")
    plan: Note
    deadline: date = Field(description="the date the plan resolves the problem by")


class ResolveIn(BaseModel):
    """销号."""

    model_config = ConfigDict(extra="forbid")
    resolution: Note


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Note


class NoticeIn(BaseModel):
    """A 督办函 issued by hand by the 督查室."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=4000)
    deadline: date | None = Field(default=None, description="default: the problem's current deadline")


class ClockOut(BaseModel):
    kind: str
    level: int
    started_at: datetime
    due_date: date
    due_at: datetime
    state: str
    reminded: list[int]


class NoticeOut(BaseModel):
    number: str
    problem_id: str
    level: int
    reason: str
    issued_by: str
    issued_at: datetime
    owner_unit: str
    deadline: date
    note: str | None


class ProblemOut(BaseModel):
    id: str
    title: str
    description: str | None
    category: Category
    severity: Severity
    project_id: str | None
    project_name: str | None
    raised_unit: str | None
    owner_unit: str
    owner_unit_name: str | None
    responsible_person: str | None
    co_units: list[str]
    level: int
    status: Status
    source: Source
    trigger: Trigger | None
    raised_by: str
    raised_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    plan: str | None
    deadline: date | None
    due_at: datetime | None
    overdue: bool = Field(description="open and past its resolve deadline at its level")
    leader_ids: list[str]
    clocks: list[ClockOut]


class ProblemDetail(ProblemOut):
    history: list[HistoryEntry]
    notices: list[NoticeOut]


class MeetingItemOut(BaseModel):
    id: int
    problem_id: str
    notice_number: str
    added_at: datetime
    closed_at: datetime | None
    title: str
    owner_unit: str
    status: Status
    overdue: bool


class DispatchItem(BaseModel):
    problem_id: str
    title: str
    project_id: str | None
    project_name: str | None
    owner_unit: str
    category: Category
    severity: Severity
    level: int
    status: Status
    deadline: date | None
    overdue: bool
    raised_at: datetime
    last_note: str | None
    last_note_at: datetime | None
    notices: list[str]


class DispatchList(BaseModel):
    """双周调度: one leader's problems for the fortnight ending `period_end`."""

    leader_id: str
    leader_name: str | None
    period_start: date
    period_end: date
    open_count: int
    overdue_count: int
    open: list[DispatchItem]
    raised_in_period: list[str]
    resolved_in_period: list[DispatchItem]


class DispatchSummary(BaseModel):
    leader_id: str
    leader_name: str | None
    open_count: int
    overdue_count: int
    by_level: dict[int, int]
