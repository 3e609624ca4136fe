"""In-memory twins of the escalation unit of work and its repositories, for the handlers' unit tests.

Same methods as adapters/repositories.py and the read view of service_layer/queries/views.py; rows
are the service's own table classes, kept in lists and dicts. Like cosmicpython's fakes they do not
undo in-memory changes on rollback: a test of a refusal asserts that nothing was committed or
published.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diaodu_testkit.fakes import FakeUnitOfWork
from escalation.adapters.tables import (
    ClockRow,
    EscalationRow,
    HistoryRow,
    LeaderAssignmentView,
    MeetingItemRow,
    NoticeRow,
    ProblemRow,
    ProjectLight,
    ProjectView,
    SystemTrigger,
    UnitView,
)
from escalation.domain.model import Status
from escalation.service_layer.queries.views import clock_out, problem_out
from escalation.service_layer.read_models import ProblemOut


class FakeProblems:
    def __init__(self) -> None:
        self.rows: dict[str, ProblemRow] = {}
        self.locked_elsewhere: set[str] = set()  # held by "another replica"

    async def add(self, p: ProblemRow) -> None:
        self.rows[p.id] = p

    async def get(self, problem_id: str) -> ProblemRow | None:
        return self.rows.get(problem_id)

    async def get_unless_locked(self, problem_id: str) -> ProblemRow | None:
        return None if problem_id in self.locked_elsewhere else self.rows.get(problem_id)

    async def open_by_level(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for p in self.rows.values():
            if p.status != Status.RESOLVED:
                counts[p.level] = counts.get(p.level, 0) + 1
        return counts


class FakeHistory:
    def __init__(self) -> None:
        self.rows: list[HistoryRow] = []
        self._ids = itertools.count(1)

    def add(self, row: HistoryRow) -> None:
        row.id = next(self._ids)
        self.rows.append(row)

    async def of(self, problem_id: str) -> list[HistoryRow]:
        return [h for h in self.rows if h.problem_id == problem_id]


class FakeClocks:
    def __init__(self) -> None:
        self.rows: list[ClockRow] = []
        self._ids = itertools.count(1)

    def add(self, row: ClockRow) -> None:
        row.id = next(self._ids)
        self.rows.append(row)

    async def stop(self, problem_id: str, kinds: Collection[str], *, state: str, now: datetime) -> None:
        for c in self.rows:
            if c.problem_id == problem_id and c.state == "running" and c.kind in kinds:
                c.state, c.ended_at = state, now

    async def owing(self, problem_id: str, now: datetime) -> list[ClockRow]:
        due = [
            c for c in self.rows if c.problem_id == problem_id and c.state == "running" and c.next_at <= now
        ]
        return sorted(due, key=lambda c: (c.due_at, c.id))

    async def problems_owing(self, now: datetime, *, skip: Collection[str], limit: int) -> list[str]:
        ids = {c.problem_id for c in self.rows if c.state == "running" and c.next_at <= now} - set(skip)
        return sorted(ids)[:limit]

    def of(self, problem_id: str, *, state: str | None = None) -> list[ClockRow]:
        """The problem's clocks (of one state), in the order they started: for assertions."""
        return [c for c in self.rows if c.problem_id == problem_id and (state is None or c.state == state)]


class FakeNotices:
    def __init__(self) -> None:
        self.rows: list[NoticeRow] = []
        self.counters: dict[int, int] = {}

    async def next_seq(self, year: int) -> int:
        self.counters[year] = self.counters.get(year, 0) + 1
        return self.counters[year]

    def add(self, row: NoticeRow) -> None:
        row.id = len(self.rows) + 1
        self.rows.append(row)


class FakeLadder:
    def __init__(self) -> None:
        self.escalations: list[EscalationRow] = []
        self.meeting_items: list[MeetingItemRow] = []

    async def add_escalation(self, row: EscalationRow) -> None:
        if any(e.clock_id == row.clock_id for e in self.escalations):
            raise AssertionError(f"clock {row.clock_id} escalated twice (the table's unique key refuses it)")
        row.id = len(self.escalations) + 1
        self.escalations.append(row)

    async def add_meeting_item(self, row: MeetingItemRow) -> None:
        row.id = len(self.meeting_items) + 1
        self.meeting_items.append(row)

    async def close_meeting_items(self, problem_id: str, now: datetime) -> None:
        for item in self.meeting_items:
            if item.problem_id == problem_id and item.closed_at is None:
                item.closed_at = now


class FakeDirectory:
    def __init__(self) -> None:
        self.units: dict[str, UnitView] = {}
        self.projects: dict[str, ProjectView] = {}
        self.assignments: list[LeaderAssignmentView] = []

    async def unit(self, code: str) -> UnitView | None:
        return self.units.get(code)

    async def project(self, project_id: str) -> ProjectView | None:
        return self.projects.get(project_id)

    async def leaders_of(self, *, project_id: str | None, unit_code: str) -> list[str]:
        rows = [
            a
            for a in self.assignments
            if (a.unit_code == unit_code and a.project_id is None)
            or (project_id and a.project_id == project_id)
        ]
        ordered = sorted(rows, key=lambda a: (a.project_id is None, a.leader_id))
        return list(dict.fromkeys(a.leader_id for a in ordered))


class FakeTriggers:
    def __init__(self) -> None:
        self.lights: list[ProjectLight] = []
        self.rows: dict[str, SystemTrigger] = {}

    async def red_investment_lights(self, *, red_since_up_to: str) -> list[ProjectLight]:
        return [
            x
            for x in self.lights
            if x.kind == "investment" and x.light == "red" and x.red_since and x.red_since <= red_since_up_to
        ]

    async def add_if_new(self, **values: Any) -> None:
        self.rows.setdefault(values["key"], SystemTrigger(**values))

    async def pending(self, limit: int) -> list[SystemTrigger]:
        waiting = [t for t in self.rows.values() if t.problem_id is None]
        return sorted(waiting, key=lambda t: t.detected_at)[:limit]


@dataclass
class FakeViews:
    uow: FakeEscalationUnitOfWork

    async def problem(self, p: ProblemRow, now: datetime) -> ProblemOut:
        d = self.uow.directory
        project = d.projects.get(p.project_id or "")
        unit = d.units.get(p.owner_unit)
        return problem_out(
            p,
            now=now,
            project_name=project.name if project else None,
            owner_unit_name=unit.name if unit else None,
            leader_ids=await d.leaders_of(project_id=p.project_id, unit_code=p.owner_unit),
            clocks=[clock_out(c) for c in self.uow.clocks.of(p.id, state="running")],
        )


class FakeEscalationUnitOfWork(FakeUnitOfWork):
    """EscalationUnitOfWork in memory: the same repositories and read view, no database."""

    def __init__(self) -> None:
        super().__init__()
        self.problems = FakeProblems()
        self.history = FakeHistory()
        self.clocks = FakeClocks()
        self.notices = FakeNotices()
        self.ladder = FakeLadder()
        self.directory = FakeDirectory()
        self.triggers = FakeTriggers()
        self.views = FakeViews(self)

    def actions(self, problem_id: str) -> list[str]:
        """The problem's history, as its actions in order."""
        return [h.action for h in self.history.rows if h.problem_id == problem_id]
