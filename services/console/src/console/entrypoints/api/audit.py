"""The audit log (审计日志): every sign-in, failure, lock-out, sign-out and account change, for the admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from console.domain.audit import Action
from console.entrypoints.deps import AdminCaller
from console.service_layer.queries.audit import AuditFilter, audit_workbook, list_audit
from console.service_layer.read_models import AuditOut
from diaodu_platform.db import Conn
from diaodu_platform.paging import Page, PageNo, PageSize
from diaodu_platform.xlsx import XLSX

router = APIRouter(tags=["audit"])


def audit_filter(
    username: Annotated[str | None, Query(description="who acted, or whom it concerned")] = None,
    action: Action | None = None,
    since: Annotated[datetime | None, Query(description="from this instant (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="before this instant")] = None,
) -> AuditFilter:
    return AuditFilter(username=username, action=str(action) if action else None, since=since, until=until)


Filter = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("/audit", response_model=Page[AuditOut])
async def audit_log(
    conn: Conn, _: AdminCaller, where: Filter, page: PageNo = 1, page_size: PageSize = 50
) -> Page[AuditOut]:
    """The audit log, newest first: who (role, unit), what, to whom, when, from where, with which answer."""
    return await list_audit(conn=conn, where=where, page=page, page_size=page_size)


@router.get(
    "/audit/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "an .xlsx file"}},
)
async def export_audit(conn: Conn, _: AdminCaller, where: Filter) -> Response:
    """The same lines as XLSX (审计日志), for the same filters."""
    download = await audit_workbook(conn=conn, where=where)
    return Response(download.content, media_type=XLSX, headers=download.headers)
