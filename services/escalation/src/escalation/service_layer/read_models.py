"""What the escalation service answers with: problems, their clocks, notices and dispatch lists.

Queries and command handlers return these; the routes declare them as response models (the class
names are the OpenAPI schema names).
"""

# No `from __future__ import annotations` here: `ClockOut` below names its module, and pydantic
# resolves string annotations in the module a model names.
from datetime import date, datetime

from pydantic import BaseModel, Field

from escalation.domain.model import Category, Severity, Source, Status, Trigger
from escalation.events import HistoryEntry


class ClockOut(BaseModel):
    # Its OpenAPI name is module-qualified (the platform's ops routes have a `ClockOut` too), and it
    # was published as escalation.entrypoints.schemas.ClockOut: keep that name, keep the contract.
    __module__ = "escalation.entrypoints.schemas"

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
