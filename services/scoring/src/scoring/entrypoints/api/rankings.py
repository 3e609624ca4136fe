"""Assessments and rankings (R9): run a month's assessment, read the published rankings."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from scoring.entrypoints.deps import MonthQ, NewUow, YearQ, json_router
from scoring.entrypoints.schemas import AssessmentIn
from scoring.service_layer import metrics as campaign_metrics
from scoring.service_layer.assessment import run_assessment as run
from scoring.service_layer.queries import rankings as q
from scoring.service_layer.read_models import AssessmentOut, RankingOut, RankingSummaryOut

router = json_router()


@router.post(
    "/assessments",
    response_model=AssessmentOut,
    tags=["rankings"],
    status_code=201,
    responses={
        200: {"description": "Already published for this month and policy version", "model": AssessmentOut},
        201: {"description": "Published"},
        422: {"description": "Nothing to assess"},
    },
)
async def run_assessment(
    request: Request, body: AssessmentIn, principal: Admin, new_uow: NewUow, now: Now
) -> JSONResponse:
    """Run the monthly assessment of `month` now and publish it (once per month and policy version)."""
    async with new_uow() as uow:
        ranking, created = await run(uow=uow, cmd=body.to_command(), by=principal.sub, now=now)
    if created:
        await campaign_metrics.refresh_after_publish(request.app)
    out = AssessmentOut.run(ranking, created=created)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/rankings", tags=["rankings"])
async def list_rankings(
    _: CurrentPrincipal, conn: Conn, year: YearQ | None = None, month: MonthQ | None = None
) -> list[RankingSummaryOut]:
    return await q.list_rankings(conn, year=year, month=month)


@router.get("/rankings/{month}", tags=["rankings"])
async def get_ranking(
    month: str, _: CurrentPrincipal, conn: Conn, policy_version: int | None = None
) -> RankingOut:
    """A published ranking with every unit's scorecard (the latest one of the month by default)."""
    return RankingOut.of(await q.ranking_of_month(conn, month, policy_version))
