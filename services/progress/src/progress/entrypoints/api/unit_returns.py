"""Unit returns (单位月报: 新增入规企业, R9)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import CurrentPrincipal, Writer
from diaodu_platform.db import Conn
from diaodu_platform.http import Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from progress.entrypoints import schemas as s
from progress.entrypoints.deps import CREATED
from progress.service_layer import unit_returns as handlers
from progress.service_layer.commands import SubmitUnitReturn
from progress.service_layer.queries import unit_returns as queries
from progress.service_layer.read_models import UnitReturnOut

router = APIRouter()


@router.post(
    "/unit-returns", status_code=201, response_model=UnitReturnOut, tags=["unit returns"], responses=CREATED
)
async def submit_unit_return(
    request: Request, body: s.UnitReturnIn, principal: Writer, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    """A unit's monthly return; another one for the same month becomes its next revision."""
    cmd = SubmitUnitReturn(
        unit_code=body.unit_code,
        month=body.month,
        above_size_enterprises=tuple(body.above_size_enterprises),
        note=body.note,
    )
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: handlers.submit_unit_return(uow=uow, cmd=cmd, now=now, principal=principal),
    )


@router.get("/unit-returns", response_model=Page[UnitReturnOut], tags=["unit returns"])
async def list_unit_returns(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    month: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[UnitReturnOut]:
    return await queries.list_unit_returns(
        conn=conn, unit_code=unit_code, month=month, page=page, page_size=page_size
    )
