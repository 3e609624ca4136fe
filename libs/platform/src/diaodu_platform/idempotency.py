"""`Idempotency-Key` for creating POSTs: a retry with the same key replays the first answer.

The key is stored in the same transaction as the state change it guards, so a retried
submission changes nothing (SPEC §6, R4). Reusing a key for a different body is refused.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.db import PlatformTables
from diaodu_platform.errors import Problem

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Retry-safe key for a creating POST"),
]


def request_hash(body: Any) -> str:
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


async def replay(
    conn: AsyncConnection, tables: PlatformTables, *, principal: str, key: str, route: str, body_hash: str
) -> tuple[int, Any] | None:
    """The stored (status, body) for this key, or None when the key is new."""
    t = tables.idempotency
    row = (
        await conn.execute(
            select(t.c.route, t.c.request_hash, t.c.status_code, t.c.response).where(
                t.c.principal == principal, t.c.key == key
            )
        )
    ).first()
    if row is None:
        return None
    if row.route != route or row.request_hash != body_hash:
        raise Problem(
            422,
            "Idempotency-Key reused",
            f"Idempotency-Key {key!r} was already used for a different request ({row.route}); "
            "use a new key for a new submission",
            type_="/problems/idempotency-key-reused",
        )
    return row.status_code, row.response


async def remember(
    conn: AsyncConnection,
    tables: PlatformTables,
    *,
    principal: str,
    key: str,
    route: str,
    body_hash: str,
    status: int,
    response: Any,
) -> bool:
    """Store the answer; False when a concurrent request stored the same key first."""
    stmt = (
        insert(tables.idempotency)
        .values(
            principal=principal,
            key=key,
            route=route,
            request_hash=body_hash,
            status_code=status,
            response=response,
        )
        .on_conflict_do_nothing()
    )
    result = await conn.execute(stmt)
    return bool(result.rowcount)


class _LostRace(Exception):
    pass


async def run_create(
    engine: Any,
    tables: PlatformTables,
    *,
    principal: str,
    key: str | None,
    route: str,
    body: Any,
    action: Any,
) -> tuple[int, Any, bool]:
    """Run `action(conn) -> (status, response)` once per key; returns (status, response, replayed)."""
    if key is None:
        async with engine.begin() as conn:
            status, response = await action(conn)
            return status, response, False
    body_hash = request_hash(body)
    for _ in range(3):
        try:
            async with engine.begin() as conn:
                previous = await replay(
                    conn, tables, principal=principal, key=key, route=route, body_hash=body_hash
                )
                if previous is not None:
                    return previous[0], previous[1], True
                status, response = await action(conn)
                stored = await remember(
                    conn,
                    tables,
                    principal=principal,
                    key=key,
                    route=route,
                    body_hash=body_hash,
                    status=status,
                    response=response,
                )
                if not stored:
                    raise _LostRace
                return status, response, False
        except _LostRace:
            continue  # a concurrent request with this key won: replay its answer
    raise Problem(409, "Conflict", f"Idempotency-Key {key!r} is being used by a concurrent request")


async def idempotent_create(
    request: Any,
    *,
    principal: str,
    key: str | None,
    body: Any,
    action: Any,
    status: int = 201,
) -> JSONResponse:
    """Route helper: run `action(session) -> pydantic model` once per Idempotency-Key, answer JSON."""
    from diaodu_platform.db import session_on

    async def run(conn: AsyncConnection) -> tuple[int, Any]:
        async with session_on(conn) as session:
            result = await action(session)
        return status, result.model_dump(mode="json")

    code, response, replayed = await run_create(
        request.app.state.engine,
        request.app.state.tables,
        principal=principal,
        key=key,
        route=f"{request.method} {request.url.path}",
        body=body,
        action=run,
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(response, status_code=code, headers=headers)
