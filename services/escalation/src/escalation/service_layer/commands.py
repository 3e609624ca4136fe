"""The commands the escalation handlers take (R7, R8): plain values, already validated by the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from escalation.domain.model import Category, Severity


@dataclass(frozen=True)
class RaiseProblem:
    """发现: a unit (or the office) reports a problem blocking a project or the unit itself."""

    title: str
    category: Category
    severity: Severity = Severity.ORDINARY
    description: str | None = None
    project_id: str | None = None
    unit_code: str | None = None  # the raising unit; default the reporter's own, else the project's
    responsible_person: str | None = None
    co_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssignProblem:
    """交办: name the owning unit and start the 13710 clocks."""

    problem_id: str
    owner_unit: str | None = None  # default: the unit that raised it
    responsible_person: str | None = None
    co_units: tuple[str, ...] | None = None  # None: keep the ones given when it was raised
    deadline: date | None = None  # an earlier resolve deadline than 13710 gives


@dataclass(frozen=True)
class AcknowledgeProblem:
    """部署: the owning unit takes the problem on."""

    problem_id: str
    note: str | None = None


@dataclass(frozen=True)
class ReportProgress:
    """办理进展 on a problem."""

    problem_id: str
    note: str


@dataclass(frozen=True)
class FilePlan:
    """A major problem's timeline and plan, and the date it resolves the problem by."""

    problem_id: str
    plan: str
    deadline: date


@dataclass(frozen=True)
class ResolveProblem:
    """销号 with a resolution note."""

    problem_id: str
    resolution: str


@dataclass(frozen=True)
class ReopenProblem:
    """Reopen a closed problem, with the reason."""

    problem_id: str
    reason: str


@dataclass(frozen=True)
class IssueNotice:
    """A 督办函 issued by hand by the 督查室."""

    problem_id: str
    note: str | None = None
    deadline: date | None = None  # default: the problem's current deadline
