"""The registry's unit of work: one transaction with its repositories and the events it emits.

Handlers work inside an entered unit of work and never enter it themselves: the route (or
`create_once`) enters it, so that the spreadsheet import can run many commands in one transaction,
each in a savepoint of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from diaodu_platform.uow import SqlUnitOfWork
from registry.adapters.repositories import (
    AssignmentRepository,
    CampaignRepository,
    LeaderRepository,
    ProjectRepository,
    TargetRepository,
    UnitRepository,
)


class RegistryUnitOfWork(SqlUnitOfWork):
    """Units, leaders and their assignments, projects, campaigns and targets in one transaction."""

    units: UnitRepository
    leaders: LeaderRepository
    assignments: AssignmentRepository
    projects: ProjectRepository
    campaigns: CampaignRepository
    targets: TargetRepository

    async def _begin(self) -> None:
        await super()._begin()
        session = self.session
        self.units = UnitRepository(session)
        self.leaders = LeaderRepository(session)
        self.assignments = AssignmentRepository(session)
        self.projects = ProjectRepository(session)
        self.campaigns = CampaignRepository(session)
        self.targets = TargetRepository(session)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A part of the transaction that is undone alone when it raises, with the events it emitted."""
        mark = len(self.events)
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            del self.events[mark:]
            raise
