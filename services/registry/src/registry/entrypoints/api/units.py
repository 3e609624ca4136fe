"""Units (责任单位): register, list, read, change."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from registry.domain.model import UnitKind
from registry.entrypoints.deps import NewUow
from registry.entrypoints.schemas import UnitIn, UnitPatch
from registry.service_layer import units
from registry.service_layer.queries import units as queries
from registry.service_layer.read_models import UnitOut

router = APIRouter(tags=["units"])


@router.post("/units", status_code=201, response_model=UnitOut, responses=CREATED)
async def create_unit(
    request: Request, body: UnitIn, principal: Admin, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: units.register_unit(uow=uow, cmd=body.command(), now=now),
    )


@router.get("/units", response_model=Page[UnitOut])
async def list_units(
    conn: Conn,
    _: CurrentPrincipal,
    kind: UnitKind | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[UnitOut]:
    return await queries.list_units(
        conn=conn, kind=kind, parent_code=parent_code, q=q, page=page, page_size=page_size
    )


@router.get("/units/{code}", response_model=UnitOut)
async def get_unit(code: str, conn: Conn, _: CurrentPrincipal) -> UnitOut:
    return await queries.get_unit(conn=conn, code=code)


@router.patch("/units/{code}", response_model=UnitOut)
async def patch_unit(code: str, body: UnitPatch, _: Admin, now: Now, new_uow: NewUow) -> UnitOut:
    async with new_uow() as uow:
        return await units.update_unit(uow=uow, cmd=body.command(code), now=now)
