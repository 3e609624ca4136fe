"""Events the escalation service publishes on `diaodu.escalation.v1` (SPEC §5, docs/event-contracts.md).

Every problem event carries the problem's current state (problem_id, project_id, owner_unit,
category, severity, level, status, occurred_at) so that the 督查室 can follow a problem from its
events alone; it is keyed by the project id, or the owning unit when the problem has no project.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from diaodu_platform.events import Event, EventCatalog
from escalation.domain.model import Category, Severity, Source, Status, Trigger
from escalation.domain.sla import ClockKind


class HistoryEntry(BaseModel):
    """One transition of a problem: who did what, when."""

    model_config = ConfigDict(frozen=True)
    at: datetime
    actor: str
    action: str
    from_status: Status | None
    to_status: Status | None
    from_level: int | None
    to_level: int | None
    note: str | None


class ProblemEvent(Event):
    """Fields common to every problem event."""

    service: ClassVar[str] = "escalation"
    key_field: ClassVar[str] = "project_id"
    problem_id: str
    project_id: str | None = Field(
        description="the project the problem blocks; null for a unit-level problem"
    )
    owner_unit: str = Field(description="code of the owning 责任单位")
    category: Category
    severity: Severity
    level: int = Field(
        ge=1, le=3, description="1 owning unit, 2 包联/分管 leader, 3 county government meeting"
    )
    status: Status
    occurred_at: datetime

    def key(self) -> str:
        return self.project_id or self.owner_unit


class ProblemRaised(ProblemEvent):
    """A problem (问题) was raised, by a unit or by the system from progress facts (发现)."""

    name: ClassVar[str] = "problem_raised"
    title: str
    description: str | None
    source: Source
    trigger: Trigger | None = Field(description="why the system raised it; null when raised by hand")
    raised_by: str
    raised_unit: str | None
    responsible_person: str | None
    co_units: list[str]


class ProblemAssigned(ProblemEvent):
    """A problem was assigned (交办) to its owning unit; its 1/3/7 clocks started (R7)."""

    name: ClassVar[str] = "problem_assigned"
    assigned_by: str
    responsible_person: str | None
    co_units: list[str]
    deadline: date = Field(description="resolve deadline at the current level (end of this day)")
    acknowledge_due_at: datetime
    progress_due_at: datetime
    resolve_due_at: datetime


class ProblemAcknowledged(ProblemEvent):
    """The owning unit acknowledged (部署) the problem."""

    name: ClassVar[str] = "problem_acknowledged"
    acknowledged_by: str
    note: str | None


class ProblemProgressed(ProblemEvent):
    """Progress (办理进展) was reported on a problem."""

    name: ClassVar[str] = "problem_progressed"
    reported_by: str
    note: str


class ProblemPlanFiled(ProblemEvent):
    """A major problem that cannot be resolved within a month filed its timeline and plan (R7)."""

    name: ClassVar[str] = "problem_plan_filed"
    filed_by: str
    plan: str
    deadline: date = Field(description="the plan's resolve date, the new resolve deadline")


class SlaReminder(ProblemEvent):
    """A clock of the problem reached a reminder point (default 50% and 75%, R7)."""

    name: ClassVar[str] = "sla_reminder"
    clock: ClockKind
    percent: int
    due_at: datetime


class SlaBreached(ProblemEvent):
    """A clock of the problem ran out (R7); a resolve clock also escalates the problem (R8)."""

    name: ClassVar[str] = "sla_breached"
    clock: ClockKind
    due_at: datetime


class ProblemEscalated(ProblemEvent):
    """The problem moved one level up the ladder (R8); `level` is the new level."""

    name: ClassVar[str] = "problem_escalated"
    from_level: int
    to_level: int
    notice_number: str
    leader_ids: list[str] = Field(description="包联/分管 leaders of the project or owning unit")
    deadline: date
    due_at: datetime


class NoticeIssued(ProblemEvent):
    """A 督办函 (supervision notice) was issued, on escalation or by the 督查室 by hand."""

    name: ClassVar[str] = "notice_issued"
    notice_number: str = Field(description="unique per year, e.g. 督办〔2026〕第0001号")
    reason: Literal["escalation", "manual"]
    issued_by: str
    title: str
    responsible_person: str | None
    deadline: date
    note: str | None
    history: list[HistoryEntry]


class MeetingItemAdded(ProblemEvent):
    """The problem was put on the county government meeting's agenda (level 3)."""

    name: ClassVar[str] = "meeting_item_added"
    meeting_item_id: int
    notice_number: str
    title: str
    deadline: date


class ProblemResolved(ProblemEvent):
    """The problem was closed (销号) with a resolution note."""

    name: ClassVar[str] = "problem_resolved"
    resolved_by: str
    resolution: str


class ProblemReopened(ProblemEvent):
    """A closed problem was reopened; its clocks start again at its level."""

    name: ClassVar[str] = "problem_reopened"
    reopened_by: str
    reason: str
    deadline: date


CATALOG = EventCatalog(
    "escalation",
    [
        ProblemRaised,
        ProblemAssigned,
        ProblemAcknowledged,
        ProblemProgressed,
        ProblemPlanFiled,
        SlaReminder,
        SlaBreached,
        ProblemEscalated,
        NoticeIssued,
        MeetingItemAdded,
        ProblemResolved,
        ProblemReopened,
    ],
)
