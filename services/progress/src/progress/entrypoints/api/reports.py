"""Reports (月报) and their revisions (R4): submit, correct, read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import CurrentPrincipal, Writer
from diaodu_platform.db import Conn
from diaodu_platform.http import Now, idempotency_request, outcome_response
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from progress.entrypoints import schemas as s
from progress.entrypoints.deps import CREATED, SingleStatementUow, month_param
from progress.events import Procedure
from progress.service_layer import reports as handlers
from progress.service_layer.commands import ReviseReport, SubmitReport
from progress.service_layer.queries import reports as queries
from progress.service_layer.read_models import ReportHistoryOut, ReportOut

router = APIRouter()


def _figures(body: s.FiguresIn) -> dict[str, Any]:
    """A report body's fields as the commands take them."""
    values = dict(body)
    values["procedures"] = tuple(Procedure(item=p.item, state=p.state, date=p.date) for p in body.procedures)
    values["attachments"] = tuple(body.attachments)
    return values


@router.post("/reports", status_code=201, response_model=ReportOut, tags=["reports"], responses=CREATED)
async def submit_report(
    request: Request,
    body: s.ReportIn,
    principal: Writer,
    new_uow: SingleStatementUow,
    now: Now,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Submit a project's monthly report. Suspicious figures are accepted and flagged (anomaly_flagged).
    A retry with the same Idempotency-Key answers as the first time and changes nothing."""
    async with new_uow() as uow:
        outcome = await handlers.submit_report(
            uow=uow,
            cmd=SubmitReport(**_figures(body)),
            now=now,
            principal=principal,
            idem=idempotency_request(request, principal, key, body) if key else None,
        )
    return outcome_response(outcome)


@router.post(
    "/reports/{report_id}/revisions",
    status_code=201,
    response_model=ReportOut,
    tags=["reports"],
    responses=CREATED,
)
async def revise_report(
    report_id: str,
    request: Request,
    body: s.RevisionIn,
    principal: Writer,
    new_uow: SingleStatementUow,
    now: Now,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Correct a report with a reason: a new revision; after the month closed it is marked late."""
    async with new_uow() as uow:
        outcome = await handlers.revise_report(
            uow=uow,
            cmd=ReviseReport(**_figures(body), report_id=report_id),
            now=now,
            principal=principal,
            idem=idempotency_request(request, principal, key, body) if key else None,
        )
    return outcome_response(outcome)


@router.get("/reports", response_model=Page[ReportOut], tags=["reports"])
async def list_reports(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    project_id: str | None = None,
    month: str | None = None,
    late: bool | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[ReportOut]:
    """Current revisions, newest month first."""
    return await queries.list_reports(
        conn=conn,
        unit_code=unit_code,
        project_id=project_id,
        month=month_param(month) if month else None,
        late=late,
        page=page,
        page_size=page_size,
    )


@router.get("/reports/{report_id}", response_model=ReportHistoryOut, tags=["reports"])
async def get_report(report_id: str, conn: Conn, _: CurrentPrincipal) -> ReportHistoryOut:
    """A report with every revision (the original stays visible)."""
    return await queries.get_report(conn=conn, report_id=report_id)
