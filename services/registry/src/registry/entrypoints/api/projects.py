"""Projects (项目): register, list, read, change attributes, move along the lifecycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from diaodu_platform.auth import CurrentPrincipal, Writer
from diaodu_platform.db import Conn
from diaodu_platform.http import CREATED, Now, create_once
from diaodu_platform.idempotency import IdempotencyKey
from diaodu_platform.paging import Page, PageNo, PageSize
from registry.domain.model import BuildType, KeyLevel, Stage
from registry.entrypoints.deps import NewUow
from registry.entrypoints.schemas import ProjectIn, ProjectPatch, StageChangeIn
from registry.events import ProjectSnapshot
from registry.service_layer import projects
from registry.service_layer.queries import projects as queries
from registry.service_layer.read_models import ProjectOut

router = APIRouter(tags=["projects"])


@router.post("/projects", status_code=201, response_model=ProjectSnapshot, responses=CREATED)
async def create_project(
    request: Request, body: ProjectIn, principal: Writer, now: Now, key: IdempotencyKey = None
) -> JSONResponse:
    return await create_once(
        request,
        principal=principal,
        key=key,
        body=body,
        action=lambda uow: projects.register_project(
            uow=uow, cmd=body.command(), now=now, principal=principal
        ),
    )


@router.get("/projects", response_model=Page[ProjectOut])
async def list_projects(
    conn: Conn,
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
) -> Page[ProjectOut]:
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
    return await queries.list_projects(conn=conn, filters=filters, q=q, page=page, page_size=page_size)


@router.get("/projects/{project_id}", response_model=ProjectOut)
async def get_project(project_id: str, conn: Conn, _: CurrentPrincipal) -> ProjectOut:
    return await queries.get_project(conn=conn, project_id=project_id)


@router.patch("/projects/{project_id}", response_model=ProjectSnapshot)
async def patch_project(
    project_id: str, body: ProjectPatch, principal: Writer, now: Now, new_uow: NewUow
) -> ProjectSnapshot:
    async with new_uow() as uow:
        return await projects.update_project(
            uow=uow, cmd=body.command(project_id), now=now, principal=principal
        )


@router.post(
    "/projects/{project_id}/stage",
    response_model=ProjectSnapshot,
    responses={409: {"description": "Not an allowed next stage; lists the allowed ones"}},
)
async def change_stage(
    project_id: str, body: StageChangeIn, principal: Writer, now: Now, new_uow: NewUow
) -> ProjectSnapshot:
    async with new_uow() as uow:
        return await projects.change_stage(
            uow=uow, cmd=body.command(project_id), now=now, principal=principal
        )
