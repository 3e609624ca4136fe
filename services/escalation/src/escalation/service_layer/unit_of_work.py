"""The escalation service's unit of work: one transaction, its repositories and its read views.

Handlers run inside an entered unit of work (`async with uow:` is the caller's: the route, the
Idempotency-Key runner or the job), so a creating POST's key record, the state change and its
events commit together. The working-day calendar and the 13710 rules are not the transaction's:
handlers receive them as an `SlaPolicy` (service_layer/clocks.py).
"""

from __future__ import annotations

from diaodu_platform.uow import SqlUnitOfWork
from escalation.adapters.repositories import (
    ClockRepository,
    DirectoryRepository,
    HistoryRepository,
    LadderRepository,
    NoticeRepository,
    ProblemRepository,
    TriggerRepository,
)
from escalation.service_layer.queries.views import ProblemViews


class EscalationUnitOfWork(SqlUnitOfWork):
    """A unit of work on the escalation database, with the repositories of problems and their loop."""

    problems: ProblemRepository
    history: HistoryRepository
    clocks: ClockRepository
    notices: NoticeRepository
    ladder: LadderRepository
    directory: DirectoryRepository
    triggers: TriggerRepository
    views: ProblemViews

    async def _begin(self) -> None:
        await super()._begin()
        session = self.session
        self.problems = ProblemRepository(session)
        self.history = HistoryRepository(session)
        self.clocks = ClockRepository(session)
        self.notices = NoticeRepository(session)
        self.ladder = LadderRepository(session)
        self.directory = DirectoryRepository(session)
        self.triggers = TriggerRepository(session)
        self.views = ProblemViews(session)
