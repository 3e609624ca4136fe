"""Registry routes under /api/v1: thin, each parses, calls one handler and maps the result."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from diaodu_platform.auth import CurrentPrincipal, Principal, Role, require_roles
from diaodu_platform.db import SessionDep, unit_of_work
from diaodu_platform.idempotency import IdempotencyKey, idempotent_create
from registry.domain.model import BuildType, KeyLevel, Stage, UnitKind
from registry.entrypoints import schemas as s
from registry.events import ProjectSnapshot
from registry.service_layer import handlers, queries

router = APIRouter()
Admin = Annotated[Principal, require_roles(Role.admin)]
Writer = Annotated[Principal, require_roles(Role.admin, Role.reporter)]
PageNo = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200)]
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created"},
    422: {"description": "Invalid input (problem+json)"},
}


def _outbox(request: Request) -> Any:
    return request.app.state.outbox


# --- units (责任单位) ---------------------------------------------------------------------------


@router.post("/units", status_code=201, response_model=s.UnitOut, tags=["units"], responses=CREATED)
async def create_unit(
    request: Request, body: s.UnitIn, principal: Admin, key: IdempotencyKey = None
) -> JSONResponse:
    async def action(session: AsyncSession) -> s.UnitOut:
        return await handlers.register_unit(session=session, outbox=_outbox(request), data=body)

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


@router.get("/units", response_model=s.Page[s.UnitOut], tags=["units"])
async def list_units(
    session: SessionDep,
    _: CurrentPrincipal,
    kind: UnitKind | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.UnitOut]:
    return await queries.list_units(
        session=session, kind=kind, parent_code=parent_code, q=q, page=page, page_size=page_size
    )


@router.get("/units/{code}", response_model=s.UnitOut, tags=["units"])
async def get_unit(code: str, session: SessionDep, _: CurrentPrincipal) -> s.UnitOut:
    return await queries.get_unit(session=session, code=code)


@router.patch("/units/{code}", response_model=s.UnitOut, tags=["units"])
async def patch_unit(code: str, body: s.UnitPatch, request: Request, _: Admin) -> s.UnitOut:
    async with unit_of_work(request.app.state.engine) as session:
        return await handlers.update_unit(session=session, outbox=_outbox(request), code=code, data=body)


# --- leaders (包联领导) -------------------------------------------------------------------------


@router.post("/leaders", status_code=201, response_model=s.LeaderOut, tags=["leaders"], responses=CREATED)
async def create_leader(
    request: Request, body: s.LeaderIn, principal: Admin, key: IdempotencyKey = None
) -> JSONResponse:
    async def action(session: AsyncSession) -> s.LeaderOut:
        return await handlers.add_leader(session=session, data=body)

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


@router.get("/leaders", response_model=s.Page[s.LeaderOut], tags=["leaders"])
async def list_leaders(
    session: SessionDep,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.LeaderOut]:
    return await queries.list_leaders(session=session, unit_code=unit_code, page=page, page_size=page_size)


@router.post(
    "/leaders/{leader_id}/assignments",
    status_code=201,
    response_model=s.AssignmentOut,
    tags=["leaders"],
    responses=CREATED,
)
async def assign_leader(
    leader_id: str, request: Request, body: s.AssignmentIn, principal: Admin, key: IdempotencyKey = None
) -> JSONResponse:
    async def action(session: AsyncSession) -> s.AssignmentOut:
        return await handlers.assign_leader(
            session=session, outbox=_outbox(request), leader_id=leader_id, data=body
        )

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


# --- projects (项目) ----------------------------------------------------------------------------


@router.post(
    "/projects", status_code=201, response_model=ProjectSnapshot, tags=["projects"], responses=CREATED
)
async def create_project(
    request: Request, body: s.ProjectIn, principal: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    async def action(session: AsyncSession) -> ProjectSnapshot:
        return await handlers.register_project(
            session=session, outbox=_outbox(request), principal=principal, data=body
        )

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


@router.get("/projects", response_model=s.Page[s.ProjectOut], tags=["projects"])
async def list_projects(
    session: SessionDep,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    stage: Stage | None = None,
    build_type: BuildType | None = None,
    is_industrial: bool | None = None,
    is_private: bool | None = None,
    key_level: KeyLevel | None = None,
    stats_registered: bool | None = None,
    plan_year: int | None = None,
    campaign_id: str | None = None,
    q: Annotated[str | None, Query(description="name contains")] = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.ProjectOut]:
    filters = {
        "unit_code": unit_code,
        "stage": stage,
        "build_type": build_type,
        "is_industrial": is_industrial,
        "is_private": is_private,
        "key_level": key_level,
        "stats_registered": stats_registered,
        "plan_year": plan_year,
        "campaign_id": campaign_id,
    }
    return await queries.list_projects(session=session, filters=filters, q=q, page=page, page_size=page_size)


@router.get("/projects/{project_id}", response_model=s.ProjectOut, tags=["projects"])
async def get_project(project_id: str, session: SessionDep, _: CurrentPrincipal) -> s.ProjectOut:
    return await queries.get_project(session=session, project_id=project_id)


@router.patch("/projects/{project_id}", response_model=ProjectSnapshot, tags=["projects"])
async def patch_project(
    project_id: str, body: s.ProjectPatch, request: Request, principal: Writer
) -> ProjectSnapshot:
    async with unit_of_work(request.app.state.engine) as session:
        return await handlers.update_project(
            session=session, outbox=_outbox(request), principal=principal, project_id=project_id, data=body
        )


@router.post(
    "/projects/{project_id}/stage",
    response_model=ProjectSnapshot,
    tags=["projects"],
    responses={409: {"description": "Not an allowed next stage; lists the allowed ones"}},
)
async def change_stage(
    project_id: str, body: s.StageChangeIn, request: Request, principal: Writer
) -> ProjectSnapshot:
    async with unit_of_work(request.app.state.engine) as session:
        return await handlers.change_stage(
            session=session, outbox=_outbox(request), principal=principal, project_id=project_id, data=body
        )


# --- campaigns (行动) and targets (目标任务) -----------------------------------------------------


@router.post(
    "/campaigns", status_code=201, response_model=s.CampaignOut, tags=["campaigns"], responses=CREATED
)
async def create_campaign(
    request: Request, body: s.CampaignIn, principal: Admin, key: IdempotencyKey = None
) -> JSONResponse:
    async def action(session: AsyncSession) -> s.CampaignOut:
        return await handlers.create_campaign(session=session, outbox=_outbox(request), data=body)

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


@router.get("/campaigns", response_model=list[s.CampaignOut], tags=["campaigns"])
async def list_campaigns(session: SessionDep, _: CurrentPrincipal) -> list[s.CampaignOut]:
    return await queries.list_campaigns(session=session)


@router.get("/campaigns/{campaign_id}", response_model=s.CampaignOut, tags=["campaigns"])
async def get_campaign(campaign_id: str, session: SessionDep, _: CurrentPrincipal) -> s.CampaignOut:
    return await queries.get_campaign(session=session, campaign_id=campaign_id)


@router.put("/targets", response_model=s.TargetsUpsertOut, tags=["targets"])
async def upsert_targets(body: s.TargetsIn, request: Request, _: Admin) -> s.TargetsUpsertOut:
    """Bulk upsert; all lines are checked first and nothing is saved if one is wrong."""
    async with unit_of_work(request.app.state.engine) as session:
        return await handlers.upsert_targets(session=session, outbox=_outbox(request), data=body)


@router.get("/targets", response_model=s.Page[s.TargetOut], tags=["targets"])
async def list_targets(
    session: SessionDep,
    _: CurrentPrincipal,
    metric: str | None = None,
    period: str | None = None,
    scope: str | None = None,
    unit_code: str | None = None,
    campaign_id: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 200,
) -> s.Page[s.TargetOut]:
    return await queries.list_targets(
        session=session,
        metric=metric,
        period=period,
        scope=scope,
        unit_code=unit_code,
        campaign_id=campaign_id,
        page=page,
        page_size=page_size,
    )


@router.get("/reports/target-coverage", response_model=list[s.CoverageOut], tags=["reports"])
async def target_coverage(
    session: SessionDep,
    _: CurrentPrincipal,
    metric: str | None = None,
    period: str | None = None,
    campaign_id: str | None = None,
) -> list[s.CoverageOut]:
    """R1 目标分解: coverage = sum of unit targets / regional target; under-allocation is an error."""
    return await queries.target_coverage(
        session=session, metric=metric, period=period, campaign_id=campaign_id
    )


@router.get("/reports/reserve-health", response_model=s.ReserveHealthOut, tags=["reports"])
async def reserve_health(
    session: SessionDep,
    _: CurrentPrincipal,
    year: Annotated[int, Query(ge=2000, le=2100)],
    unit_code: str | None = None,
    required_multiple: Annotated[Decimal, Query(gt=0)] = Decimal(2),
) -> s.ReserveHealthOut:
    """R11 储备: reserve investment ≥ 2× the year's planned investment; large-project bands."""
    return await queries.reserve_health_report(
        session=session, year=year, unit_code=unit_code, required_multiple=required_multiple
    )


__all__ = ["router", "Depends"]
