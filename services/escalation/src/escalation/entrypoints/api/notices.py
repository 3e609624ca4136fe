"""督办函 under /api/v1: issued by hand, listed, exported, and the county meeting's agenda (R8)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from diaodu_platform.auth import Office, Reader
from diaodu_platform.db import Conn
from diaodu_platform.events import Event
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from diaodu_platform.xlsx import XLSX
from escalation.adapters import exports
from escalation.entrypoints import schemas as s
from escalation.entrypoints.deps import COMMAND, XLSX_FILE
from escalation.service_layer import notices
from escalation.service_layer.metrics import count_facts
from escalation.service_layer.queries import dispatch
from escalation.service_layer.queries import notices as queries
from escalation.service_layer.unit_of_work import EscalationUnitOfWork

router = APIRouter()


@router.post(
    "/problems/{problem_id}/notices",
    status_code=201,
    response_model=s.NoticeOut,
    tags=["notices"],
    responses={**CREATED, **COMMAND},
)
async def issue_notice(
    problem_id: str,
    body: s.NoticeIn,
    request: Request,
    principal: Office,
    now: Now,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The 督查室 issues a numbered 督办函 by hand."""
    issued: list[Event] = []  # of the attempt that committed (a lost key race rolls back)

    async def action(uow: EscalationUnitOfWork) -> s.NoticeOut:
        out = await notices.notice_by_hand(
            uow=uow, cmd=body.command(problem_id), principal=principal, now=now
        )
        issued[:] = uow.events
        return out

    response = await create_once(request, principal=principal, key=key, body=body, action=action)
    if "Idempotent-Replayed" not in response.headers:  # committed by this call: a new fact
        count_facts(request.app.state.metrics.escalation, issued)
    return response


@router.get("/notices", response_model=Page[s.NoticeOut], tags=["notices"])
async def list_notices(
    conn: Conn,
    _: Reader,
    year: int | None = None,
    problem_id: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[s.NoticeOut]:
    return await queries.list_notices(
        conn=conn, year=year, problem_id=problem_id, page=page, page_size=page_size
    )


@router.get("/notices/export.xlsx", response_class=Response, tags=["notices"], responses=XLSX_FILE)
async def export_notices(
    conn: Conn, _: Reader, year: int | None = None, problem_id: str | None = None
) -> Response:
    """督办函 as XLSX: number, problem, unit, level, deadline, issued at and reason of every notice."""
    lines = await queries.all_notices(conn=conn, year=year, problem_id=problem_id)
    name = "notices" + (f"-{year}" if year else "")
    label = "督办函" + (f"-{year}" if year else "")
    return Response(
        exports.notices_xlsx(lines),
        media_type=XLSX,
        headers=exports.attachment(f"{name}.xlsx", f"{label}.xlsx"),
    )


@router.get("/meeting-items", response_model=list[s.MeetingItemOut], tags=["notices"])
async def list_meeting_items(
    conn: Conn, _: Reader, now: Now, open_only: bool = True
) -> list[s.MeetingItemOut]:
    """县政府会议 agenda items: problems escalated to level 3."""
    return await dispatch.list_meeting_items(conn=conn, open_only=open_only, now=now)
