"""The escalation service's tables: projections of registry and progress, problems, clocks, notices.

Unique constraints carry the two-replica safety: one clock per (problem, kind, cycle), one
escalation per breached clock, one notice per (year, number), one meeting item per escalation,
one system-raised problem per trigger episode.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from diaodu_platform.db import PlatformTables


class EscalationModel(SQLModel, registry=registry()):
    pass


metadata = EscalationModel.metadata
platform = PlatformTables(metadata)


def _ts(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    # Handlers set every instant from the service's (movable) clock, never the wall clock; the server
    # default covers the Core inserts made outside a handler (the projections' trigger rows).
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()))


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


# --- projections (registry, progress) ----------------------------------------------------------


class UnitView(EscalationModel, table=True):
    """责任单位, from registry unit_registered / unit_updated."""

    __tablename__ = "units"
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    parent_code: str | None = Field(default=None, max_length=64)


class ProjectView(EscalationModel, table=True):
    """项目, from registry project_registered / project_updated / project_stage_changed."""

    __tablename__ = "projects"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    unit_code: str = Field(index=True, max_length=64)
    stage: str = Field(max_length=20)
    version: int = 0


class LeaderView(EscalationModel, table=True):
    """包联领导, from registry leader_assigned."""

    __tablename__ = "leaders"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    title: str | None = Field(default=None, max_length=200)


class LeaderAssignmentView(EscalationModel, table=True):
    __tablename__ = "leader_assignments"
    id: int = Field(primary_key=True, description="registry assignment id")
    leader_id: str = Field(index=True, max_length=64)
    unit_code: str | None = Field(default=None, index=True, max_length=64)
    project_id: str | None = Field(default=None, index=True, max_length=64)
    role: str = Field(max_length=20)


class ProjectLight(EscalationModel, table=True):
    """A project's current light of one kind, from progress light_changed."""

    __tablename__ = "project_lights"
    project_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=20)
    unit_code: str = Field(max_length=64)
    light: str = Field(max_length=10)
    month: str = Field(max_length=7)
    red_since: str | None = Field(default=None, max_length=7, index=True)


class OverdueReport(EscalationModel, table=True):
    """A monthly report that was overdue, from progress report_overdue."""

    __tablename__ = "overdue_reports"
    project_id: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)
    unit_code: str = Field(max_length=64)
    due_date: date | None = None


class SystemTrigger(EscalationModel, table=True):
    """An episode that makes the system raise a problem; the timer job raises it exactly once."""

    __tablename__ = "system_triggers"
    key: str = Field(primary_key=True, max_length=200)
    trigger: str = Field(max_length=30)
    project_id: str = Field(max_length=64)
    unit_code: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    detected_at: datetime = _ts()
    problem_id: str | None = Field(default=None, max_length=64, index=True)


# --- problems ----------------------------------------------------------------------------------


class ProblemRow(EscalationModel, table=True):
    """问题."""

    __tablename__ = "problems"
    __table_args__ = (Index("ix_problems_open", "status", "level", "owner_unit"),)
    id: str = Field(primary_key=True, max_length=64)
    title: str = Field(max_length=300)
    description: str | None = None
    category: str = Field(max_length=20, index=True)
    severity: str = Field(max_length=10)
    project_id: str | None = Field(default=None, index=True, max_length=64)
    raised_unit: str | None = Field(default=None, max_length=64)
    owner_unit: str = Field(index=True, max_length=64)
    responsible_person: str | None = Field(default=None, max_length=100)
    co_units: list[str] = _json_list()
    level: int = 1
    status: str = Field(max_length=20)
    source: str = Field(max_length=10)
    trigger: str | None = Field(default=None, max_length=30)
    raised_by: str = Field(max_length=200)
    raised_at: datetime = _ts()
    assigned_at: datetime | None = _ts(nullable=True)
    resolved_at: datetime | None = _ts(nullable=True)
    resolution: str | None = None
    plan: str | None = None
    deadline: date | None = Field(default=None, description="resolve deadline at the current level")
    due_at: datetime | None = _ts(nullable=True)
    cycle: int = Field(default=0, description="bumped whenever the clocks restart")
    updated_at: datetime = _ts()


class HistoryRow(EscalationModel, table=True):
    """Every transition of a problem (R8): who, when, what."""

    __tablename__ = "problem_history"
    id: int | None = Field(default=None, primary_key=True)
    problem_id: str = Field(foreign_key="problems.id", index=True, max_length=64)
    at: datetime = _ts()
    actor: str = Field(max_length=200)
    action: str = Field(max_length=30)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    from_level: int | None = None
    to_level: int | None = None
    note: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))


class ClockRow(EscalationModel, table=True):
    """One SLA clock (R7) of one cycle of a problem."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("problem_id", "kind", "cycle", name="uq_clock_cycle"),
        Index("ix_sla_clocks_running", "state", "next_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    problem_id: str = Field(foreign_key="problems.id", index=True, max_length=64)
    kind: str = Field(max_length=20)
    level: int
    cycle: int
    started_at: datetime = _ts()
    due_date: date
    due_at: datetime = _ts()
    reminders: list[list[Any]] = _json_list()  # [[percent, iso instant], ...]
    reminded: list[int] = _json_list()
    state: str = Field(default="running", max_length=10)  # running | met | breached | cancelled
    next_at: datetime = _ts()  # the earliest instant the clock owes something
    ended_at: datetime | None = _ts(nullable=True)


class NoticeCounter(EscalationModel, table=True):
    """The last 督办函 number of a year, advanced atomically."""

    __tablename__ = "notice_counters"
    year: int = Field(primary_key=True)
    last: int = 0


class NoticeRow(EscalationModel, table=True):
    """督办函."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_notice_year_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int
    seq: int
    number: str = Field(unique=True, max_length=40)
    problem_id: str = Field(foreign_key="problems.id", index=True, max_length=64)
    level: int
    reason: str = Field(max_length=20)
    issued_by: str = Field(max_length=200)
    issued_at: datetime = _ts()
    owner_unit: str = Field(max_length=64)
    deadline: date
    note: str | None = None
    history: list[dict[str, Any]] = _json_list()


class EscalationRow(EscalationModel, table=True):
    """One step up the ladder, at most one per breached resolve clock."""

    __tablename__ = "escalations"
    id: int | None = Field(default=None, primary_key=True)
    problem_id: str = Field(foreign_key="problems.id", index=True, max_length=64)
    clock_id: int = Field(foreign_key="sla_clocks.id", unique=True)
    from_level: int
    to_level: int
    notice_number: str = Field(max_length=40)
    at: datetime = _ts()


class MeetingItemRow(EscalationModel, table=True):
    """An item on the county government meeting's agenda (level 3)."""

    __tablename__ = "meeting_items"
    id: int | None = Field(default=None, primary_key=True)
    problem_id: str = Field(foreign_key="problems.id", index=True, max_length=64)
    escalation_id: int = Field(foreign_key="escalations.id", unique=True)
    notice_number: str = Field(max_length=40)
    added_at: datetime = _ts()
    closed_at: datetime | None = _ts(nullable=True)
