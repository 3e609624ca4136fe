"""Policies (考核办法, R9): read them, publish a new version; a published version never changes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.errors import Problem, conflict
from diaodu_platform.http import Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from scoring.entrypoints.deps import MonthQ, NewUow, json_router
from scoring.entrypoints.schemas import PolicyIn
from scoring.service_layer.policies import publish_policy as publish
from scoring.service_layer.queries import policies as q
from scoring.service_layer.read_models import PolicyOut, PublishedPolicyOut
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

router = json_router()


@router.get("/policies", tags=["policies"])
async def list_policies(_: CurrentPrincipal, new_uow: NewUow, now: Now) -> list[PublishedPolicyOut]:
    async with new_uow() as uow:
        return await q.list_policies(uow=uow, now=now)


@router.get("/policies/current", tags=["policies"])
async def current_policy(
    _: CurrentPrincipal, new_uow: NewUow, now: Now, month: MonthQ | None = None
) -> PolicyOut:
    """The version in force for `month` (default: this month)."""
    async with new_uow() as uow:
        return await q.policy_in_force(uow=uow, month=month, now=now)


@router.get("/policies/{version}", tags=["policies"])
async def get_policy(version: int, _: CurrentPrincipal, conn: Conn) -> PolicyOut:
    return await q.get_policy(conn, version)


@router.post(
    "/policies",
    response_model=PolicyOut,
    status_code=201,
    tags=["policies"],
    responses={201: {"description": "Published as the next version"}, 422: {"description": "Invalid"}},
)
async def publish_policy(
    request: Request, body: PolicyIn, principal: Admin, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    """Publish a new policy version (`policy_published`); published versions never change."""
    cmd = body.to_command()

    async def action(uow: ScoringUnitOfWork) -> PolicyOut:
        return PolicyOut.of(await publish(uow=uow, cmd=cmd, by=principal.sub, now=now))

    return await create_once(request, principal=principal, key=key, body=body, action=action)


IMMUTABLE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Published policy versions are never changed"}
}


def _immutable(version: int) -> Problem:
    return conflict(
        f"policy version {version} is published and is never changed or deleted; publish a new "
        "version with POST /api/v1/policies",
        policy_version=version,
    )


@router.put("/policies/{version}", tags=["policies"], responses=IMMUTABLE, status_code=409)
async def replace_policy(version: int, _: Admin) -> None:
    """Refused: a published policy version is never changed in place (publish a new version)."""
    raise _immutable(version)


@router.patch("/policies/{version}", tags=["policies"], responses=IMMUTABLE, status_code=409)
async def patch_policy(version: int, _: Admin) -> None:
    """Refused: a published policy version is never changed in place (publish a new version)."""
    raise _immutable(version)


@router.delete("/policies/{version}", tags=["policies"], responses=IMMUTABLE, status_code=409)
async def delete_policy(version: int, _: Admin) -> None:
    """Refused: a published policy version is never deleted (publish a new version instead)."""
    raise _immutable(version)
