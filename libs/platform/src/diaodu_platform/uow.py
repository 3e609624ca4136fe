"""The unit of work: one transaction per command, in which state, its events and the key record commit.

Every command handler of every service runs inside one `UnitOfWork` (cosmicpython's pattern). The
caller enters it — the route, the job, or `diaodu_platform.http.create_once`, which must store the
Idempotency-Key record in the same transaction — and the handler works in it:

    async with new_uow() as uow:                      # entrypoints/api/projects.py
        out = await projects.change_stage(uow=uow, cmd=cmd, now=now)

    async def change_stage(*, uow, cmd, now):         # service_layer/projects.py
        project = await uow.projects.get(cmd.project_id)
        ...
        uow.emit(ProjectStageChanged(...))

On a clean exit the emitted events are written to the outbox in the same transaction and it commits;
on an exception nothing is written. Each service subclasses `SqlUnitOfWork` in its
`service_layer/unit_of_work.py` to add its repositories; unit tests use an in-memory fake of the same
class (diaodu_testkit.FakeUnitOfWork).

`SqlUnitOfWork` gives a handler three levels of access to the one transaction: repositories (the
service's own), `session` (SQLModel ORM) and `conn` (SQLAlchemy Core), plus `driver()`, the asyncpg
connection underneath, for a hot path where SQLAlchemy's statement compilation would cost more than
the database work. `SqlUnitOfWork(..., atomic_statement=True)` opens no transaction at all: for a
handler whose whole write is one statement (atomic on its own), which saves BEGIN and COMMIT.
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Any, Self

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelAsyncSession

from diaodu_platform.events import Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored, recall, record
from diaodu_platform.outbox import Outbox


class UnitOfWork(abc.ABC):
    """One transaction: enter it, change state through the repositories, emit events, leave it."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._entered = False

    def emit(self, *events: Event) -> None:
        """Stage events: they reach the outbox only if the unit of work commits."""
        self.events.extend(events)

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("this unit of work is already entered: a handler works in its caller's")
        self._entered = True
        self.events = []
        await self._begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._entered = False
        if exc_type is None:
            await self._commit()
        else:
            await self._rollback()

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def _commit(self) -> None: ...

    @abc.abstractmethod
    async def _rollback(self) -> None: ...

    @abc.abstractmethod
    async def recall(self, request: IdempotencyRequest) -> Stored | None:
        """The first answer to this Idempotency-Key, or None when the key is new (422 if reused)."""

    @abc.abstractmethod
    async def remember(self, request: IdempotencyRequest, stored: Stored) -> bool:
        """Store the answer with the state change; False when a concurrent request stored it first."""


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on the service's PostgreSQL database (one engine, one pool per service)."""

    def __init__(self, engine: AsyncEngine, outbox: Outbox, *, atomic_statement: bool = False) -> None:
        super().__init__()
        self.engine = engine
        self.outbox = outbox
        self.atomic_statement = atomic_statement
        self._conn: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not entered: use `async with uow:`")
        return self._conn

    @property
    def session(self) -> AsyncSession:
        """An ORM session joined to the unit of work's connection (created on first use)."""
        if self._session is None:
            self._session = SQLModelAsyncSession(bind=self.conn, expire_on_commit=False)
        return self._session

    async def driver(self) -> asyncpg.Connection:
        """The asyncpg connection under `conn`, for the hot paths."""
        raw = await self.conn.get_raw_connection()
        driver: asyncpg.Connection = raw.driver_connection
        return driver

    async def _begin(self) -> None:
        conn = await self.engine.connect()
        if self.atomic_statement:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            await conn.begin()
        self._conn = conn

    async def flush(self) -> None:
        """Write the ORM's pending changes now (e.g. before a Core statement that reads them)."""
        if self._session is not None:
            await self._session.flush()

    async def _commit(self) -> None:
        try:
            await self.flush()
            if self.events:
                if self.atomic_statement:
                    raise RuntimeError("an atomic-statement unit of work writes its outbox rows itself")
                await self.outbox.add(self.conn, *self.events)
            if not self.atomic_statement:
                await self.conn.commit()
        except BaseException:
            await self._rollback()
            raise
        await self._close()

    async def _rollback(self) -> None:
        try:
            if self._conn is not None and self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._close()

    async def _close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def recall(self, request: IdempotencyRequest) -> Stored | None:
        return await recall(self.conn, request)

    async def remember(self, request: IdempotencyRequest, stored: Stored) -> bool:
        await self.flush()
        return await record(self.conn, request, stored)


def unit_of_work_factory(engine: AsyncEngine, outbox: Outbox) -> Any:
    """The default factory: a plain `SqlUnitOfWork` (services pass their own subclass)."""
    return lambda: SqlUnitOfWork(engine, outbox)
