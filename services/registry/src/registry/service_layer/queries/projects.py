"""Reading projects (项目) and their lifecycle history."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from diaodu_platform.db import session_on
from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page, fetch_page
from registry.adapters.tables import Project, StageChange
from registry.service_layer.read_models import ProjectOut, StageChangeOut, snapshot


async def list_projects(
    *, conn: AsyncConnection, filters: dict[str, Any], q: str | None, page: int, page_size: int
) -> Page[ProjectOut]:
    """Projects in the order they were registered, filtered by attribute and a part of the name."""
    stmt = select(Project).order_by(col(Project.created_at), col(Project.id))
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Project, column) == value)
    if q:
        stmt = stmt.where(col(Project.name).contains(q))
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
    items = [ProjectOut(**snapshot(p).model_dump()) for p in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


async def get_project(*, conn: AsyncConnection, project_id: str) -> ProjectOut:
    """One project with its stage changes, oldest first."""
    async with session_on(conn) as session:
        project = await session.get(Project, project_id)
        if project is None:
            raise not_found("project", project_id)
        of_project = (
            select(StageChange)
            .where(StageChange.project_id == project_id)
            .order_by(col(StageChange.changed_at))
        )
        history = (await session.execute(of_project)).scalars().all()
    return ProjectOut(
        **snapshot(project).model_dump(),
        history=[
            StageChangeOut(
                from_stage=h.from_stage,
                to_stage=h.to_stage,
                reason=h.reason,
                changed_by=h.changed_by,
                changed_at=h.changed_at.isoformat(),
            )
            for h in history
        ],
    )
