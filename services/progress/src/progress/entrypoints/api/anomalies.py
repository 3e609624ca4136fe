"""Flagged figures (R4 flags) and their review by the campaign office."""

from __future__ import annotations

from fastapi import APIRouter

from diaodu_platform.auth import CurrentPrincipal, Office
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from diaodu_platform.paging import Page, PageNo, PageSize
from progress.domain.model import AnomalyStatus, FlagRule
from progress.entrypoints import schemas as s
from progress.entrypoints.deps import ProgressUow
from progress.service_layer import anomalies as handlers
from progress.service_layer.commands import ReviewAnomaly
from progress.service_layer.queries import anomalies as queries
from progress.service_layer.read_models import AnomalyOut

router = APIRouter()


@router.get("/anomalies", response_model=Page[AnomalyOut], tags=["anomalies"])
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
) -> Page[AnomalyOut]:
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


@router.get("/anomalies/{anomaly_id}", response_model=AnomalyOut, tags=["anomalies"])
async def get_anomaly(anomaly_id: str, conn: Conn, _: CurrentPrincipal) -> AnomalyOut:
    return await queries.get_anomaly(conn=conn, anomaly_id=anomaly_id)


@router.post(
    "/anomalies/{anomaly_id}/review",
    response_model=AnomalyOut,
    tags=["anomalies"],
    responses={409: {"description": "Already reviewed"}},
)
async def review_anomaly(
    anomaly_id: str, body: s.ReviewIn, principal: Office, new_uow: ProgressUow, now: Now
) -> AnomalyOut:
    """Confirm (the unit must correct the figure) or dismiss (the figure is right) a flag, once."""
    async with new_uow() as uow:
        return await handlers.review_anomaly(
            uow=uow,
            cmd=ReviewAnomaly(anomaly_id=anomaly_id, status=body.status, note=body.note),
            now=now,
            principal=principal,
        )
