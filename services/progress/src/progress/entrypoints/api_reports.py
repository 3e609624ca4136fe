"""Write routes under /api/v1: reports and their revisions, flag reviews, unit returns (R4, R9)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from diaodu_platform.auth import CurrentPrincipal, Principal
from diaodu_platform.idempotency import IdempotencyKey, request_hash
from progress.adapters.report_store import driver
from progress.domain.model import AnomalyStatus, FlagRule
from progress.entrypoints import schemas as s
from progress.entrypoints.deps import (
    CREATED,
    Conn,
    PageNo,
    PageSize,
    Reviewer,
    Writer,
    clock_now,
    create_once,
    month_param,
)
from progress.service_layer import anomalies, queries, reports, unit_returns

router = APIRouter()


# --- reports (月报) ------------------------------------------------------------------------------


def _idempotency(
    request: Request, principal: Principal, key: str | None, body: BaseModel
) -> reports.Idempotency | None:
    if key is None:
        return None
    return reports.Idempotency(
        principal=principal.sub,
        key=key,
        route=f"{request.method} {request.url.path}",
        body_hash=request_hash(body.model_dump(mode="json")),
        engine=request.app.state.engine,
    )


def _created(created: reports.Created) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if created.replayed else None
    return JSONResponse(created.body, status_code=created.status, headers=headers)


@router.post("/reports", status_code=201, response_model=s.ReportOut, tags=["reports"], responses=CREATED)
async def submit_report(
    request: Request, body: s.ReportIn, principal: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    """Submit a project's monthly report. Suspicious figures are accepted and flagged (anomaly_flagged).
    A retry with the same Idempotency-Key answers as the first time and changes nothing."""
    async with driver(request.app) as conn:
        created = await reports.submit_report(
            conn=conn,
            outbox=request.app.state.outbox,
            principal=principal,
            data=body,
            now=clock_now(request),
            idem=_idempotency(request, principal, key, body),
        )
    return _created(created)


@router.post(
    "/reports/{report_id}/revisions",
    status_code=201,
    response_model=s.ReportOut,
    tags=["reports"],
    responses=CREATED,
)
async def revise_report(
    report_id: str, request: Request, body: s.RevisionIn, principal: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    """Correct a report with a reason: a new revision; after the month closed it is marked late."""
    async with driver(request.app) as conn:
        created = await reports.revise_report(
            conn=conn,
            outbox=request.app.state.outbox,
            principal=principal,
            report_id=report_id,
            data=body,
            now=clock_now(request),
            idem=_idempotency(request, principal, key, body),
        )
    return _created(created)


@router.get("/reports", response_model=s.Page[s.ReportOut], tags=["reports"])
async def list_reports(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    project_id: str | None = None,
    month: str | None = None,
    late: bool | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.ReportOut]:
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


@router.get("/reports/{report_id}", response_model=s.ReportHistoryOut, tags=["reports"])
async def get_report(report_id: str, conn: Conn, _: CurrentPrincipal) -> s.ReportHistoryOut:
    """A report with every revision (the original stays visible)."""
    return await queries.get_report(conn=conn, report_id=report_id)


# --- anomalies (R4 flags) ------------------------------------------------------------------------


@router.get("/anomalies", response_model=s.Page[s.AnomalyOut], tags=["anomalies"])
async def list_anomalies(
    conn: Conn,
    _: CurrentPrincipal,
    status: AnomalyStatus | None = None,
    unit_code: str | None = None,
    project_id: str | None = None,
    rule: FlagRule | None = None,
    month: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.AnomalyOut]:
    return await queries.list_anomalies(
        conn=conn,
        status=status,
        unit_code=unit_code,
        project_id=project_id,
        rule=rule,
        month=month,
        page=page,
        page_size=page_size,
    )


@router.get("/anomalies/{anomaly_id}", response_model=s.AnomalyOut, tags=["anomalies"])
async def get_anomaly(anomaly_id: str, conn: Conn, _: CurrentPrincipal) -> s.AnomalyOut:
    return await queries.get_anomaly(conn=conn, anomaly_id=anomaly_id)


@router.post(
    "/anomalies/{anomaly_id}/review",
    response_model=s.AnomalyOut,
    tags=["anomalies"],
    responses={409: {"description": "Already reviewed"}},
)
async def review_anomaly(
    anomaly_id: str, body: s.ReviewIn, request: Request, principal: Reviewer
) -> s.AnomalyOut:
    """Confirm (the unit must correct the figure) or dismiss (the figure is right) a flag, once."""
    async with request.app.state.engine.begin() as conn:
        return await anomalies.review_anomaly(
            conn=conn,
            outbox=request.app.state.outbox,
            principal=principal,
            anomaly_id=anomaly_id,
            data=body,
            now=clock_now(request),
        )


# --- unit returns (单位月报: 新增入规企业, R9) ---------------------------------------------------


@router.post(
    "/unit-returns", status_code=201, response_model=s.UnitReturnOut, tags=["unit returns"], responses=CREATED
)
async def submit_unit_return(
    request: Request, body: s.UnitReturnIn, principal: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    """A unit's monthly return; another one for the same month becomes its next revision."""
    now, outbox = clock_now(request), request.app.state.outbox
    return await create_once(
        request,
        principal,
        key,
        body,
        lambda conn: unit_returns.submit_unit_return(
            conn=conn, outbox=outbox, principal=principal, data=body, now=now
        ),
    )


@router.get("/unit-returns", response_model=s.Page[s.UnitReturnOut], tags=["unit returns"])
async def list_unit_returns(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    month: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.UnitReturnOut]:
    return await queries.list_unit_returns(
        conn=conn, unit_code=unit_code, month=month, page=page, page_size=page_size
    )
