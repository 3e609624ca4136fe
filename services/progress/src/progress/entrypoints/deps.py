"""Dependencies and helpers shared by the progress routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.auth import Principal, Role, require_roles
from diaodu_platform.db import connection_dependency
from diaodu_platform.errors import Problem
from diaodu_platform.idempotency import run_create
from progress.domain.model import Month

Conn = Annotated[AsyncConnection, Depends(connection_dependency)]
Writer = Annotated[Principal, require_roles(Role.admin, Role.reporter)]
Reviewer = Annotated[Principal, require_roles(Role.admin, Role.supervisor)]
Admin = Annotated[Principal, require_roles(Role.admin)]
PageNo = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200)]
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created"},
    409: {"description": "Already exists (problem+json)"},
    422: {"description": "Refused: each error names the field, the R4 rule and the numbers"},
}


def month_param(text: str) -> str:
    try:
        return str(Month.parse(text))
    except ValueError as exc:
        raise Problem(
            422,
            "Invalid month",
            str(exc),
            type_="/problems/validation",
            errors=[{"field": "month", "message": str(exc), "input": text}],
        ) from exc


def clock_now(request: Request) -> datetime:
    now: datetime = request.app.state.clock.now()
    return now


async def create_once(
    request: Request,
    principal: Principal,
    key: str | None,
    body: BaseModel,
    action: Callable[[AsyncConnection], Awaitable[BaseModel]],
) -> JSONResponse:
    """Run a creating command once per Idempotency-Key; a retry replays the first answer."""

    async def run(conn: AsyncConnection) -> tuple[int, Any]:
        return 201, (await action(conn)).model_dump(mode="json")

    status, response, replayed = await run_create(
        request.app.state.engine,
        request.app.state.tables,
        principal=principal.sub,
        key=key,
        route=f"{request.method} {request.url.path}",
        body=body.model_dump(mode="json") if key else None,
        action=run,
    )
    return JSONResponse(
        response, status_code=status, headers={"Idempotent-Replayed": "true"} if replayed else None
    )
