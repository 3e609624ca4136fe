"""Projects (the projection of the registry) and their timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from diaodu_platform.paging import Page, PageNo, PageSize
from progress.service_layer.queries import projects as queries
from progress.service_layer.queries.policy import policy_in_force
from progress.service_layer.queries.timeline import timeline
from progress.service_layer.read_models import ProjectOut, TimelineOut

router = APIRouter()


@router.get("/projects", response_model=Page[ProjectOut], tags=["projects"])
async def list_projects(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    stage: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> Page[ProjectOut]:
    """Projects as this service knows them from the registry's events."""
    return await queries.list_projects(
        conn=conn, unit_code=unit_code, stage=stage, page=page, page_size=page_size
    )


@router.get("/projects/{project_id}", response_model=ProjectOut, tags=["projects"])
async def get_project(project_id: str, conn: Conn, _: CurrentPrincipal) -> ProjectOut:
    return await queries.get_project(conn=conn, project_id=project_id)


@router.get("/projects/{project_id}/timeline", response_model=TimelineOut, tags=["projects"])
async def project_timeline(
    project_id: str,
    now: Now,
    conn: Conn,
    _: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> TimelineOut:
    """The project's year month by month: report, revisions, 序时进度 and lights."""
    policy = await policy_in_force(conn=conn)
    return await timeline(conn=conn, project_id=project_id, year=year or now.year, now=now, policy=policy)
