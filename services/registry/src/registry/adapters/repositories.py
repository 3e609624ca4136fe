"""Repositories over the registry's tables, used by the handlers through the unit of work.

Each works on the unit of work's ORM session, so everything a handler changes commits (or not) in
its one transaction together with the events it emits. The in-memory fakes of the unit tests
(tests/registry_testkit/fakes.py) have the same methods.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from registry.adapters.tables import Campaign, Leader, LeaderAssignment, Project, StageChange, Target, Unit


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str) -> Unit | None:
        return await self.session.get(Unit, code)

    async def code_named(self, name: str) -> str | None:
        """The code of the unit with this name."""
        return (await self.session.execute(select(Unit.code).where(Unit.name == name))).scalar()

    async def codes(self) -> set[str]:
        return set((await self.session.execute(select(Unit.code))).scalars())

    async def all(self) -> list[Unit]:
        return list((await self.session.execute(select(Unit))).scalars().all())

    def add(self, unit: Unit) -> None:
        self.session.add(unit)


class LeaderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, leader_id: str) -> Leader | None:
        return await self.session.get(Leader, leader_id)

    def add(self, leader: Leader) -> None:
        self.session.add(leader)


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(
        self, *, leader_id: str, unit_code: str | None, project_id: str | None, role: str
    ) -> LeaderAssignment | None:
        """The assignment of this leader, unit, project and role, if it exists."""
        stmt = select(LeaderAssignment).where(
            col(LeaderAssignment.leader_id) == leader_id,
            col(LeaderAssignment.unit_code) == unit_code,
            col(LeaderAssignment.project_id) == project_id,
            col(LeaderAssignment.role) == role,
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def add(self, assignment: LeaderAssignment) -> None:
        """Add it and give it its id."""
        self.session.add(assignment)
        await self.session.flush()


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: str, *, for_update: bool = False) -> Project | None:
        return await self.session.get(Project, project_id, with_for_update=for_update)

    async def id_with_code(self, code: str) -> str | None:
        """The id of the project with this code."""
        return (await self.session.execute(select(Project.id).where(Project.code == code))).scalar()

    async def matching(self, *, code: str | None, unit_code: str, name: str) -> Project | None:
        """The project a spreadsheet row stands for: by its code, or else by its unit and name."""
        stmt = select(Project).where(
            col(Project.code) == code
            if code
            else (col(Project.unit_code) == unit_code) & (col(Project.name) == name)
        )
        return (await self.session.execute(stmt)).scalars().first()

    def add(self, project: Project) -> None:
        self.session.add(project)

    def add_stage_change(self, change: StageChange) -> None:
        """A step of the project's lifecycle history."""
        self.session.add(change)


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: str) -> Campaign | None:
        return await self.session.get(Campaign, campaign_id)

    async def id_named(self, name: str) -> str | None:
        """The id of the campaign with this name."""
        return (await self.session.execute(select(Campaign.id).where(Campaign.name == name))).scalar()

    async def ids(self) -> set[str]:
        return set((await self.session.execute(select(Campaign.id))).scalars())

    async def all(self) -> list[Campaign]:
        return list((await self.session.execute(select(Campaign))).scalars().all())

    def add(self, campaign: Campaign) -> None:
        self.session.add(campaign)


class TargetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def matching(self, metrics: Collection[str], periods: Collection[str]) -> list[Target]:
        """The targets of any of these metrics in any of these periods."""
        stmt = select(Target).where(col(Target.metric).in_(metrics), col(Target.period).in_(periods))
        return list((await self.session.execute(stmt)).scalars().all())

    async def add(self, targets: Collection[Target]) -> None:
        """Add them and give them their ids."""
        self.session.add_all(targets)
        await self.session.flush()
