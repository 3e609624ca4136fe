"""In-memory fakes of the registry's unit of work and repositories (same methods as the SQL ones)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any

from diaodu_testkit.fakes import FakeRows, FakeUnitOfWork
from registry.adapters.tables import Campaign, Leader, LeaderAssignment, Project, StageChange, Target, Unit


class FakeUnits(FakeRows):
    async def get(self, code: str) -> Unit | None:
        return self.rows.get(code)

    async def code_named(self, name: str) -> str | None:
        return next((u.code for u in self.rows.values() if u.name == name), None)

    async def codes(self) -> set[str]:
        return set(self.rows)

    async def all(self) -> list[Unit]:
        return list(self.rows.values())

    def add(self, unit: Unit) -> None:
        self.rows[unit.code] = unit


class FakeLeaders(FakeRows):
    async def get(self, leader_id: str) -> Leader | None:
        return self.rows.get(leader_id)

    def add(self, leader: Leader) -> None:
        self.rows[leader.id] = leader


class FakeAssignments(FakeRows):
    async def find(
        self, *, leader_id: str, unit_code: str | None, project_id: str | None, role: str
    ) -> LeaderAssignment | None:
        return self.rows.get((leader_id, unit_code, project_id, role))

    async def add(self, assignment: LeaderAssignment) -> None:
        assignment.id = len(self.rows) + 1
        key = (assignment.leader_id, assignment.unit_code, assignment.project_id, assignment.role)
        self.rows[key] = assignment


class FakeProjects(FakeRows):
    def __init__(self) -> None:
        super().__init__()
        self.history: list[StageChange] = []

    def snapshot(self) -> dict[Any, Any]:
        return {**self.rows, "__history__": list(self.history)}

    def restore(self, saved: dict[Any, Any]) -> None:
        self.history = saved.pop("__history__")
        self.rows = saved

    async def get(self, project_id: str, *, for_update: bool = False) -> Project | None:
        return self.rows.get(project_id)

    async def id_with_code(self, code: str) -> str | None:
        return next((p.id for p in self.rows.values() if p.code == code), None)

    async def matching(self, *, code: str | None, unit_code: str, name: str) -> Project | None:
        if code:
            return next((p for p in self.rows.values() if p.code == code), None)
        return next((p for p in self.rows.values() if (p.unit_code, p.name) == (unit_code, name)), None)

    def add(self, project: Project) -> None:
        self.rows[project.id] = project

    def add_stage_change(self, change: StageChange) -> None:
        self.history.append(change)


class FakeCampaigns(FakeRows):
    async def get(self, campaign_id: str) -> Campaign | None:
        return self.rows.get(campaign_id)

    async def id_named(self, name: str) -> str | None:
        return next((c.id for c in self.rows.values() if c.name == name), None)

    async def ids(self) -> set[str]:
        return set(self.rows)

    async def all(self) -> list[Campaign]:
        return list(self.rows.values())

    def add(self, campaign: Campaign) -> None:
        self.rows[campaign.id] = campaign


class FakeTargets(FakeRows):
    async def matching(self, metrics: Collection[str], periods: Collection[str]) -> list[Target]:
        return [t for t in self.rows.values() if t.metric in metrics and t.period in periods]

    async def add(self, targets: Collection[Target]) -> None:
        for target in targets:
            target.id = len(self.rows) + 1
            self.rows[target.id] = target


class FakeRegistryUnitOfWork(FakeUnitOfWork):
    """The registry's unit of work in memory: its state outlives each `async with`, as a database's would."""

    def __init__(self) -> None:
        super().__init__()
        self.units = FakeUnits()
        self.leaders = FakeLeaders()
        self.assignments = FakeAssignments()
        self.projects = FakeProjects()
        self.campaigns = FakeCampaigns()
        self.targets = FakeTargets()

    async def flush(self) -> None:
        """Nothing waits to be written: the fakes keep every change at once."""

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Undo the rows added and the events emitted inside it when it raises (not changed attributes:
        the handlers check before they change anything)."""
        mark, saved = len(self.events), [r.snapshot() for r in self.repositories()]
        try:
            yield
        except BaseException:
            del self.events[mark:]
            for repository, rows in zip(self.repositories(), saved, strict=True):
                repository.restore(rows)
            raise
