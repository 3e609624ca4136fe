"""What every service's routes share: the request's clock, its unit of work, created answers.

Routes stay thin: they parse, call one handler with a command and `now`, and map the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from diaodu_platform.auth import Principal
from diaodu_platform.idempotency import IdempotencyRequest, Outcome, Stored, run_once
from diaodu_platform.uow import UnitOfWork


def request_now(request: Request) -> datetime:
    """The service's clock (movable in local and test mode): the only `now` a handler gets."""
    now: datetime = request.app.state.clock.now()
    return now


Now = Annotated[datetime, Depends(request_now)]


def new_unit_of_work(request: Request) -> Callable[[], UnitOfWork]:
    """The service's unit-of-work factory (ServiceSpec.unit_of_work)."""
    factory: Callable[[], UnitOfWork] = request.app.state.new_uow
    return factory


UowFactory = Annotated[Callable[[], UnitOfWork], Depends(new_unit_of_work)]
# A service types it as its own: Annotated[Callable[[], XUnitOfWork], Depends(new_unit_of_work)].

# The answers a creating POST documents besides its model; a retry with the same Idempotency-Key
# replays the first answer (create_once).
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created"},
    422: {"description": "Invalid input (problem+json)"},
}


def idempotency_request(
    request: Request, principal: Principal, key: str | None, body: BaseModel | Any
) -> IdempotencyRequest | None:
    """The Idempotency-Key of a creating POST, bound to its sender, route and body."""
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return IdempotencyRequest.of(
        principal=principal.sub, key=key, route=f"{request.method} {request.url.path}", body=data
    )


def outcome_response(outcome: Outcome) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


async def create_once(
    request: Request,
    *,
    principal: Principal,
    key: str | None,
    body: BaseModel | Any,
    action: Callable[[Any], Awaitable[BaseModel]],
    status: int = 201,
) -> JSONResponse:
    """Run `action(uow) -> response model` once per Idempotency-Key and answer it as JSON."""

    async def run(uow: UnitOfWork) -> Stored:
        return Stored(status, (await action(uow)).model_dump(mode="json"))

    outcome = await run_once(
        request.app.state.new_uow, idempotency_request(request, principal, key, body), run
    )
    return outcome_response(outcome)
