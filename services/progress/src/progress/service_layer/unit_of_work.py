"""The progress unit of work: its repositories on the one connection of the transaction.

Commands and jobs get it from the app (`app.state.new_uow`, ServiceSpec.unit_of_work). The report
submission (R4's hot path) writes its report, anomalies, events and key record in one statement, so
its route opens it with `atomic_statement=True` (entrypoints/deps.py: `SingleStatementUow`): no
BEGIN/COMMIT is sent, and the store writes its outbox rows itself.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from diaodu_platform.outbox import Outbox
from diaodu_platform.uow import SqlUnitOfWork
from progress.adapters.report_store import ReportStore
from progress.adapters.repositories import (
    AnomalyRepository,
    DeadlineFacts,
    LightStates,
    PolicyRepository,
    UnitReturnRepository,
)


class ProgressUnitOfWork(SqlUnitOfWork):
    """One transaction of the progress service (or one atomic statement, for the report hot path)."""

    policy: PolicyRepository
    anomalies: AnomalyRepository
    unit_returns: UnitReturnRepository
    deadlines: DeadlineFacts
    lights: LightStates

    def __init__(self, engine: AsyncEngine, outbox: Outbox, *, atomic_statement: bool = False) -> None:
        super().__init__(engine, outbox, atomic_statement=atomic_statement)
        # The hot path's store asks for the asyncpg connection only when it is used.
        self.reports = ReportStore(self.driver, outbox)

    async def _begin(self) -> None:
        await super()._begin()
        conn = self.conn
        self.policy = PolicyRepository(conn)
        self.anomalies = AnomalyRepository(conn)
        self.unit_returns = UnitReturnRepository(conn)
        self.deadlines = DeadlineFacts(conn)
        self.lights = LightStates(conn)
