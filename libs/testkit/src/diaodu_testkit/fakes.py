"""In-memory fakes for the unit tests of command handlers (cosmicpython's FakeUnitOfWork).

A service's fake unit of work subclasses `FakeUnitOfWork` and adds in-memory repositories with the
same methods as its SQL ones. `committed` says whether the handler's work was committed;
`published` holds the events of committed units of work, as the outbox would have them.
"""

from __future__ import annotations

import copy
from typing import Any

from diaodu_platform.events import Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored
from diaodu_platform.uow import UnitOfWork


class FakeRows:
    """An in-memory table: rows by key. A fake repository subclasses it and adds the SQL one's methods;
    `snapshot`/`restore` let a fake savepoint or rollback put the rows back."""

    def __init__(self) -> None:
        self.rows: dict[Any, Any] = {}

    def snapshot(self) -> dict[Any, Any]:
        return copy.copy(self.rows)

    def restore(self, saved: dict[Any, Any]) -> None:
        self.rows = saved


class FakeUnitOfWork(UnitOfWork):
    """A unit of work whose commit keeps the events in memory instead of the outbox table."""

    def __init__(self) -> None:
        super().__init__()
        self.committed = False
        self.rolled_back = False
        self.published: list[Event] = []
        self.keys: dict[tuple[str, str], tuple[IdempotencyRequest, Stored]] = {}
        self._at_begin: list[dict[Any, Any]] = []

    def repositories(self) -> list[FakeRows]:
        """The in-memory tables of the subclass (its attributes that are FakeRows)."""
        return [v for v in vars(self).values() if isinstance(v, FakeRows)]

    async def _begin(self) -> None:
        self.committed = False
        self._at_begin = [r.snapshot() for r in self.repositories()]

    async def _commit(self) -> None:
        self.published.extend(self.events)
        self.committed = True

    async def _rollback(self) -> None:
        """Forget the rows the work added, as a database would (changed attributes stay changed)."""
        self.rolled_back = True
        for repository, rows in zip(self.repositories(), self._at_begin, strict=True):
            repository.restore(rows)

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
