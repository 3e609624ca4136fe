"""The scoring service's unit of work: one transaction with its repositories over it."""

from __future__ import annotations

from diaodu_platform.uow import SqlUnitOfWork
from scoring.adapters.repositories import (
    FactRepository,
    MilestoneRepository,
    PolicyRepository,
    RankingRepository,
)


class ScoringUnitOfWork(SqlUnitOfWork):
    """Policies, rankings and milestone checks are written, and the projections read, in one transaction;
    the events it emits reach the outbox when it commits."""

    policies: PolicyRepository
    rankings: RankingRepository
    milestones: MilestoneRepository
    facts: FactRepository

    async def _begin(self) -> None:
        await super()._begin()
        self.policies = PolicyRepository(self.conn)
        self.rankings = RankingRepository(self.conn)
        self.milestones = MilestoneRepository(self.conn)
        self.facts = FactRepository(self.conn)
