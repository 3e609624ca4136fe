"""Database access: one async engine per service, sessions for the ORM, connections for hot paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelAsyncSession

from diaodu_platform.settings import ServiceSettings


def make_engine(settings: ServiceSettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
    )


class PlatformTables:
    """The outbox, inbox and idempotency tables every service keeps in its own database."""

    def __init__(self, metadata: MetaData) -> None:
        self.outbox = Table(
            "outbox",
            metadata,
            Column("id", BigInteger, primary_key=True, autoincrement=True),
            Column("topic", String(255), nullable=False),
            Column("key", String(255), nullable=True),
            Column("headers", JSONB, nullable=False),
            Column("payload", Text, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        )
        self.inbox = Table(
            "inbox",
            metadata,
            Column("consumer", String(120), nullable=False),
            Column("event_id", String(120), nullable=False),
            Column("event_type", String(200), nullable=False),
            Column("status", String(20), nullable=False, server_default="processed"),
            Column("attempts", Integer, nullable=False, server_default="1"),
            Column("error", Text, nullable=True),
            Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
        )
        self.idempotency = Table(
            "idempotency_keys",
            metadata,
            Column("principal", String(200), nullable=False),
            Column("key", String(200), nullable=False),
            Column("route", String(300), nullable=False),
            Column("request_hash", String(64), nullable=False),
            Column("status_code", Integer, nullable=False),
            Column("response", JSONB, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
        )
        Index("ix_idempotency_keys_created_at", self.idempotency.c.created_at)


async def connection_dependency(request: Request) -> AsyncIterator[AsyncConnection]:
    """A Core connection in a transaction, for the read routes."""
    engine: AsyncEngine = request.app.state.engine
    async with engine.begin() as conn:
        yield conn


# The read side's one way in: a Core connection in a transaction (open an ORM session on it with
# `session_on(conn)` where a query returns ORM entities). Commands use a unit of work (uow.py).
Conn = Annotated[AsyncConnection, Depends(connection_dependency)]


@asynccontextmanager
async def session_on(conn: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """An ORM session on a read connection, for queries that return ORM entities."""
    async with SQLModelAsyncSession(bind=conn, expire_on_commit=False) as session:
        yield session
        await session.flush()
