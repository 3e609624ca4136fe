"""Problems under /api/v1/problems: raise (发现), the 督查室's lists, their XLSX, one problem's detail."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from diaodu_platform.xlsx import XLSX
from escalation.adapters import exports
from escalation.entrypoints import schemas as s
from escalation.entrypoints.deps import XLSX_FILE, Raiser
from escalation.service_layer import problems
from escalation.service_layer.queries import problems as queries

router = APIRouter()


@router.post("/problems", status_code=201, response_model=s.ProblemOut, tags=["problems"], responses=CREATED)
async def raise_problem(
    request: Request, body: s.ProblemIn, principal: Raiser, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    """发现: raise a problem (a reporter for its own unit)."""
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: problems.raise_problem(uow=uow, cmd=body.command(), principal=principal, now=now),
    )


@router.get("/problems", response_model=Page[s.ProblemOut], tags=["problems"])
async def list_problems(
    conn: Conn,
    principal: CurrentPrincipal,
    filters: s.Filters,
    now: Now,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[s.ProblemOut]:
    """The 督查室's lists by level, owner, leader and overdue state.

    Reporters see their unit's problems, leaders their own.
    """
    return await queries.list_problems(
        conn=conn, principal=principal, now=now, filters=filters, page=page, page_size=page_size
    )


# Declared before /problems/{problem_id}, which would otherwise take "export.xlsx" for an id.
@router.get("/problems/export.xlsx", response_class=Response, tags=["problems"], responses=XLSX_FILE)
async def export_problems(conn: Conn, principal: CurrentPrincipal, filters: s.Filters, now: Now) -> Response:
    """问题清单 as XLSX: every problem of the list with the same filters (and the same visibility)."""
    rows = await queries.all_problems(conn=conn, principal=principal, now=now, filters=filters)
    leaders = await queries.leader_names(conn=conn, ids=(x for p in rows for x in p.leader_ids))
    return Response(
        exports.problems_xlsx(rows, leaders),
        media_type=XLSX,
        headers=exports.attachment(f"problems-{now.date()}.xlsx", f"问题清单-{now.date()}.xlsx"),
    )


@router.get("/problems/{problem_id}", response_model=s.ProblemDetail, tags=["problems"])
async def get_problem(problem_id: str, conn: Conn, principal: CurrentPrincipal, now: Now) -> s.ProblemDetail:
    """One problem with its clocks, notices and full history."""
    return await queries.get_problem(conn=conn, principal=principal, problem_id=problem_id, now=now)
