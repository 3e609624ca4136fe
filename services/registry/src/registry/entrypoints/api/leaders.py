"""Leaders (包联领导): add, list, assign to units and projects."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from registry.entrypoints.schemas import AssignmentIn, LeaderIn
from registry.service_layer import leaders
from registry.service_layer.queries import leaders as queries
from registry.service_layer.read_models import AssignmentOut, LeaderOut

router = APIRouter(tags=["leaders"])


@router.post("/leaders", status_code=201, response_model=LeaderOut, responses=CREATED)
async def create_leader(
    request: Request, body: LeaderIn, principal: Admin, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: leaders.add_leader(uow=uow, cmd=body.command(), now=now),
    )


@router.get("/leaders", response_model=Page[LeaderOut])
async def list_leaders(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[LeaderOut]:
    return await queries.list_leaders(conn=conn, unit_code=unit_code, page=page, page_size=page_size)


@router.post(
    "/leaders/{leader_id}/assignments", status_code=201, response_model=AssignmentOut, responses=CREATED
)
async def assign_leader(
    leader_id: str,
    request: Request,
    body: AssignmentIn,
    principal: Admin,
    now: Now,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: leaders.assign_leader(uow=uow, cmd=body.command(leader_id), now=now),
    )
