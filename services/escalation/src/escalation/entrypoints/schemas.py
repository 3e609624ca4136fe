"""Request bodies and query filters of the escalation API; the answers are service_layer/read_models."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from escalation.domain.model import Category, Severity, Source, Status
from escalation.service_layer import commands as c
from escalation.service_layer.queries.problems import ProblemFilter
from escalation.service_layer.read_models import (
    ClockOut,
    DispatchItem,
    DispatchList,
    DispatchSummary,
    MeetingItemOut,
    NoticeOut,
    ProblemDetail,
    ProblemOut,
)

__all__ = [
    "ClockOut",
    "DispatchItem",
    "DispatchList",
    "DispatchSummary",
    "MeetingItemOut",
    "NoticeOut",
    "ProblemDetail",
    "ProblemOut",
]

Code = Annotated[
    str,
    Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", description="a unit code as registered"
    ),
]
Note = Annotated[str, Field(min_length=2, max_length=4000)]


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

    def command(self) -> c.RaiseProblem:
        return c.RaiseProblem(**{**self.model_dump(), "co_units": tuple(self.co_units)})


class AssignIn(BaseModel):
    """交办: name the owning unit and start the 13710 clocks."""

    model_config = ConfigDict(extra="forbid")
    owner_unit: Code | None = Field(default=None, description="default: the unit that raised it")
    responsible_person: str | None = Field(default=None, max_length=100)
    co_units: list[Code] | None = None
    deadline: date | None = Field(default=None, description="an earlier resolve deadline than 13710 gives")

    def command(self, problem_id: str) -> c.AssignProblem:
        co_units = tuple(self.co_units) if self.co_units is not None else None
        return c.AssignProblem(problem_id=problem_id, **{**self.model_dump(), "co_units": co_units})


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Note

    def command(self, problem_id: str) -> c.ReportProgress:
        return c.ReportProgress(problem_id=problem_id, note=self.note)


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=4000)

    def command(self, problem_id: str) -> c.AcknowledgeProblem:
        return c.AcknowledgeProblem(problem_id=problem_id, note=self.note)


class PlanIn(BaseModel):
    """A major problem's timeline and plan (R7: resolved within 1 month, or else a plan)."""

    model_config = ConfigDict(extra="forbid")
    plan: Note
    deadline: date = Field(description="the date the plan resolves the problem by")

    def command(self, problem_id: str) -> c.FilePlan:
        return c.FilePlan(problem_id=problem_id, plan=self.plan, deadline=self.deadline)


class ResolveIn(BaseModel):
    """销号."""

    model_config = ConfigDict(extra="forbid")
    resolution: Note

    def command(self, problem_id: str) -> c.ResolveProblem:
        return c.ResolveProblem(problem_id=problem_id, resolution=self.resolution)


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Note

    def command(self, problem_id: str) -> c.ReopenProblem:
        return c.ReopenProblem(problem_id=problem_id, reason=self.reason)


class NoticeIn(BaseModel):
    """A 督办函 issued by hand by the 督查室."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=4000)
    deadline: date | None = Field(default=None, description="default: the problem's current deadline")

    def command(self, problem_id: str) -> c.IssueNotice:
        return c.IssueNotice(problem_id=problem_id, note=self.note, deadline=self.deadline)


def problem_filter(
    state: Literal["open", "resolved", "all"] = "open",
    status: Status | None = None,
    level: Annotated[int | None, Query(ge=1, le=3, description="1 unit, 2 leader, 3 county meeting")] = None,
    owner_unit: str | None = None,
    leader_id: str | None = None,
    overdue: Annotated[bool | None, Query(description="past the resolve deadline at its level")] = None,
    project_id: str | None = None,
    category: Category | None = None,
    severity: Severity | None = None,
    source: Source | None = None,
) -> ProblemFilter:
    return ProblemFilter(
        state=state,
        status=status,
        level=level,
        owner_unit=owner_unit,
        leader_id=leader_id,
        overdue=overdue,
        project_id=project_id,
        category=category,
        severity=severity,
        source=source,
    )


Filters = Annotated[ProblemFilter, Depends(problem_filter)]
