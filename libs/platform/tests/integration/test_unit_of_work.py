"""SqlUnitOfWork on a real PostgreSQL: state, events and the key record commit together or not at all."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from diaodu_platform.db import PlatformTables
from diaodu_platform.errors import Problem
from diaodu_platform.events import Event
from diaodu_platform.idempotency import IdempotencyRequest, Stored, run_once
from diaodu_platform.outbox import Outbox
from diaodu_platform.uow import SqlUnitOfWork
from diaodu_testkit.harness import TestRuntime

metadata = MetaData()
platform = PlatformTables(metadata)
things = Table("things", metadata, Column("id", String, primary_key=True))


class ThingMade(Event):
    """A test event."""

    service: ClassVar[str] = "maker"
    name: ClassVar[str] = "thing_made"
    key_field: ClassVar[str] = "id"
    id: str


@pytest.fixture(scope="module")
async def engine(runtime: TestRuntime) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(await runtime.fresh_database("uow"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


def new_uow(engine: AsyncEngine, **kwargs: bool) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine, Outbox(tables=platform, topic="t.maker"), **kwargs)


async def counts(engine: AsyncEngine, thing_id: str) -> tuple[int, int]:
    async with engine.connect() as conn:
        made = await conn.scalar(select(func.count()).select_from(things).where(things.c.id == thing_id))
        staged = await conn.scalar(
            select(func.count()).select_from(platform.outbox).where(platform.outbox.c.key == thing_id)
        )
    return int(made or 0), int(staged or 0)


async def test_state_and_its_event_commit_together(engine: AsyncEngine) -> None:
    async with new_uow(engine) as uow:
        await uow.conn.execute(insert(things).values(id="a"))
        uow.emit(ThingMade(id="a"))
    assert await counts(engine, "a") == (1, 1)


async def test_a_failing_command_leaves_neither_state_nor_event(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with new_uow(engine) as uow:
            await uow.conn.execute(insert(things).values(id="b"))
            uow.emit(ThingMade(id="b"))
            raise RuntimeError("refused after the write")
    assert await counts(engine, "b") == (0, 0)


async def test_an_atomic_statement_unit_of_work_writes_without_a_transaction(engine: AsyncEngine) -> None:
    async with new_uow(engine, atomic_statement=True) as uow:
        driver = await uow.driver()
        await driver.execute("INSERT INTO things (id) VALUES ($1)", "c")
        assert not uow.conn.in_transaction()
    assert await counts(engine, "c") == (1, 0)
    with pytest.raises(RuntimeError, match="writes its outbox rows itself"):
        async with new_uow(engine, atomic_statement=True) as uow:
            uow.emit(ThingMade(id="d"))


async def test_concurrent_retries_with_one_key_create_one_thing(engine: AsyncEngine) -> None:
    request = IdempotencyRequest.of(principal="clerk", key="same", route="POST /things", body={"id": "e"})

    async def make(uow: SqlUnitOfWork) -> Stored:
        thing_id = f"e-{uuid.uuid4().hex[:8]}"  # each attempt creates a new thing, as a real POST does
        await uow.conn.execute(insert(things).values(id=thing_id))
        uow.emit(ThingMade(id=thing_id))
        await asyncio.sleep(0.05)  # the requests are inside their transactions at once
        return Stored(201, {"id": thing_id})

    outcomes = await asyncio.gather(
        *[run_once(lambda: new_uow(engine), request, make) for _ in range(3)], return_exceptions=True
    )
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    bodies = {o.body["id"] for o in outcomes if not isinstance(o, BaseException)}
    assert len(bodies) == 1, outcomes
    assert sum(not o.replayed for o in outcomes if not isinstance(o, BaseException)) == 1
    (made,) = bodies
    async with engine.connect() as conn:
        created = await conn.scalar(select(func.count()).select_from(things).where(things.c.id.like("e-%")))
    assert created == 1 and await counts(engine, made) == (1, 1)
    again = await run_once(lambda: new_uow(engine), request, make)
    assert again.replayed and again.body == {"id": made}
    reused = IdempotencyRequest.of(principal="clerk", key="same", route="POST /things", body={"id": "f"})
    with pytest.raises(Problem):
        await run_once(lambda: new_uow(engine), reused, make)
