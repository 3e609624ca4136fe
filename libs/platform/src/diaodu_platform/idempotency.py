"""`Idempotency-Key` for creating POSTs: a retry with the same key replays the first answer.

The one mechanism of every service. The key's record is stored in the same unit of work as the state
change it guards, so a retried submission changes nothing (SPEC §6, R4); reusing a key for a
different body is refused. `run_once` drives it for any handler; a hot path that writes everything in
one statement puts `IdempotencyRequest.row(...)` into that statement and calls `recall` on a lost race.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Header
from sqlalchemy import column, select, table
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import Problem


class KeyedWork(AbstractAsyncContextManager[Any], Protocol):
    """What `run_once` needs of a unit of work (diaodu_platform.uow.UnitOfWork is one)."""

    async def recall(self, request: IdempotencyRequest) -> Stored | None: ...

    async def remember(self, request: IdempotencyRequest, stored: Stored) -> bool: ...


IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Retry-safe key for a creating POST"),
]

# The platform table every service keeps (diaodu_platform.db.PlatformTables.idempotency).
KEYS = table(
    "idempotency_keys",
    column("principal"),
    column("key"),
    column("route"),
    column("request_hash"),
    column("status_code"),
    column("response", JSONB),
)


def request_hash(body: Any) -> str:
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Stored:
    """An answer as it was first given: status code and JSON body."""

    status: int
    body: Any


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Any
    replayed: bool = False


@dataclass(frozen=True)
class IdempotencyRequest:
    """One creating request under an Idempotency-Key: who sent it, where, and the hash of its body."""

    principal: str
    key: str
    route: str
    body_hash: str

    @classmethod
    def of(cls, *, principal: str, key: str | None, route: str, body: Any) -> IdempotencyRequest | None:
        """None when the request carries no key (then it is simply run)."""
        if key is None:
            return None
        return cls(principal=principal, key=key, route=route, body_hash=request_hash(body))

    def row(self, stored: Stored) -> dict[str, Any]:
        """The key record, for a hot path that inserts it in its own statement."""
        return {
            "principal": self.principal,
            "key": self.key,
            "route": self.route,
            "request_hash": self.body_hash,
            "status_code": stored.status,
            "response": stored.body,
        }

    def check(self, route: str, body_hash: str) -> None:
        """422 when the stored record is for another request than this one."""
        if route != self.route or body_hash != self.body_hash:
            raise Problem(
                422,
                "Idempotency-Key reused",
                f"Idempotency-Key {self.key!r} was already used for a different request ({route}); "
                "use a new key for a new submission",
                type_="/problems/idempotency-key-reused",
            )


async def recall(conn: AsyncConnection, request: IdempotencyRequest) -> Stored | None:
    """The stored answer for this key, or None when the key is new."""
    row = (
        await conn.execute(
            select(KEYS.c.route, KEYS.c.request_hash, KEYS.c.status_code, KEYS.c.response).where(
                KEYS.c.principal == request.principal, KEYS.c.key == request.key
            )
        )
    ).first()
    if row is None:
        return None
    request.check(row.route, row.request_hash)
    return Stored(row.status_code, row.response)


async def record(conn: AsyncConnection, request: IdempotencyRequest, stored: Stored) -> bool:
    """Store the answer; False when a concurrent request stored the same key first."""
    result = await conn.execute(insert(KEYS).values(**request.row(stored)).on_conflict_do_nothing())
    return bool(result.rowcount)


class _LostRace(Exception):
    pass


async def run_once(
    new_uow: Callable[[], KeyedWork],
    request: IdempotencyRequest | None,
    action: Callable[[Any], Awaitable[Stored]],
) -> Outcome:
    """Run `action(uow)` once per Idempotency-Key in one unit of work; a retry replays its answer."""
    if request is None:
        async with new_uow() as uow:
            stored = await action(uow)
        return Outcome(stored.status, stored.body)
    for _ in range(3):
        try:
            async with new_uow() as uow:
                previous = await uow.recall(request)
                if previous is not None:
                    return Outcome(previous.status, previous.body, replayed=True)
                stored = await action(uow)
                if not await uow.remember(request, stored):
                    raise _LostRace
                return Outcome(stored.status, stored.body)
        except _LostRace:
            continue  # a concurrent request with this key won: replay its answer
    raise Problem(409, "Conflict", f"Idempotency-Key {request.key!r} is being used by a concurrent request")
