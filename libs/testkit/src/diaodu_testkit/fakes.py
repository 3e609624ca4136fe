"""In-memory fakes for the unit tests of command handlers (cosmicpython's FakeUnitOfWork).

A service's fake unit of work subclasses `FakeUnitOfWork` and adds in-memory repositories with the
same methods as its SQL ones. `committed` says whether the handler's work was committed;
`published` holds the events of committed units of work, as the outbox would have them.
"""

from __future__ import annotations

from typing import Any

from diaodu_platform.events import Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored
from diaodu_platform.uow import UnitOfWork


class FakeUnitOfWork(UnitOfWork):
    """A unit of work whose commit keeps the events in memory instead of the outbox table."""

    def __init__(self) -> None:
        super().__init__()
        self.committed = False
        self.rolled_back = False
        self.published: list[Event] = []
        self.keys: dict[tuple[str, str], tuple[IdempotencyRequest, Stored]] = {}

    async def _begin(self) -> None:
        self.committed = False

    async def _commit(self) -> None:
        self.published.extend(self.events)
        self.committed = True

    async def _rollback(self) -> None:
        self.rolled_back = True

    async def recall(self, request: IdempotencyRequest) -> Stored | None:
        found = self.keys.get((request.principal, request.key))
        if found is None:
            return None
        first, stored = found
        request.check(first.route, first.body_hash)
        return stored

    async def remember(self, request: IdempotencyRequest, stored: Stored) -> bool:
        if (request.principal, request.key) in self.keys:
            return False
        self.keys[(request.principal, request.key)] = (request, stored)
        return True

    def events_of(self, kind: type[Event]) -> list[Any]:
        """The published events of one type, in order."""
        return [e for e in self.published if isinstance(e, kind)]
