"""双周调度 (bi-weekly dispatch) lists under /api/v1/dispatch-lists."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from diaodu_platform.auth import Office, Reader
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from escalation.entrypoints import schemas as s
from escalation.service_layer.queries import dispatch

router = APIRouter()


@router.get("/dispatch-lists", response_model=list[s.DispatchSummary], tags=["dispatch"])
async def dispatch_summary(conn: Conn, _: Office, now: Now) -> list[s.DispatchSummary]:
    """双周调度: leaders with open problems, by level and overdue."""
    return await dispatch.dispatch_summary(conn=conn, now=now)


@router.get("/dispatch-lists/{leader_id}", response_model=s.DispatchList, tags=["dispatch"])
async def dispatch_list(
    leader_id: str,
    request: Request,
    conn: Conn,
    principal: Reader,
    now: Now,
    as_of: Annotated[date | None, Query(description="last day of the fortnight")] = None,
) -> s.DispatchList:
    """双周调度 list of one leader."""
    return await dispatch.dispatch_list(
        conn=conn,
        principal=principal,
        leader_id=leader_id,
        as_of=as_of or now.date(),
        period_days=request.app.state.settings.dispatch_period_days,
        now=now,
    )
