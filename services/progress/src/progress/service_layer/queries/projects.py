"""Projects as progress knows them from the registry's events (its projection)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page, fetch_page
from progress.adapters.tables import projects
from progress.service_layer.read_models import ProjectOut


def project_out(p: Any) -> ProjectOut:
    return ProjectOut(
        project_id=p.id,
        code=p.code,
        name=p.name,
        unit_code=p.unit_code,
        stage=p.stage,
        build_type=p.build_type,
        total_investment=p.total_investment,
        annual_plan_investment=p.annual_plan_investment,
        plan_year=p.plan_year,
        planned_start=p.planned_start,
        stats_registered=p.stats_registered,
        version=p.version,
    )


async def list_projects(
    *, conn: AsyncConnection, unit_code: str | None, stage: str | None, page: int, page_size: int
) -> Page[ProjectOut]:
    stmt = select(projects).order_by(projects.c.unit_code, projects.c.id)
    if unit_code:
        stmt = stmt.where(projects.c.unit_code == unit_code)
    if stage:
        stmt = stmt.where(projects.c.stage == stage)
    rows, total = await fetch_page(conn, stmt, page=page, page_size=page_size)
    return Page(items=[project_out(p) for p in rows], total=total, page=page, page_size=page_size)


async def load_project(conn: AsyncConnection, project_id: str) -> Any:
    p = (await conn.execute(select(projects).where(projects.c.id == project_id))).first()
    if p is None:
        raise not_found("project", project_id)
    return p


async def get_project(*, conn: AsyncConnection, project_id: str) -> ProjectOut:
    return project_out(await load_project(conn, project_id))
