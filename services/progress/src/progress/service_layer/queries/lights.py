"""Lights (亮灯, R3) as the lights job last published them, and a verdict as a light."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.paging import Page, fetch_page
from progress.adapters.tables import light_states
from progress.domain.lights import Verdict
from progress.domain.model import LightKind, LightScope, Month
from progress.events import LightChanged
from progress.service_layer.read_models import LightOut


def light_out(
    scope: LightScope, kind: LightKind, subject: str, unit_code: str, month: Month, v: Verdict
) -> LightOut:
    return LightOut(
        scope=scope,
        kind=kind,
        subject=subject,
        unit_code=unit_code,
        month=str(month),
        light=v.light,
        reason=v.reason,
        gap_points=v.gap_points,
    )


def changed_out(c: LightChanged) -> LightOut:
    """A published change as the light it set."""
    return LightOut(
        scope=c.scope,
        kind=c.kind,
        subject=c.project_id or c.unit_code,
        unit_code=c.unit_code,
        month=c.month,
        light=c.light,
        reason=c.reason,
        gap_points=c.gap_points,
    )


async def list_lights(
    *,
    conn: AsyncConnection,
    scope: str | None,
    unit_code: str | None,
    light: str | None,
    kind: str | None,
    page: int,
    page_size: int,
) -> Page[LightOut]:
    """The last light of each subject, as the lights job stored it."""
    stmt = select(light_states).order_by(
        light_states.c.unit_code, light_states.c.scope, light_states.c.subject, light_states.c.kind
    )
    for column, value in (("scope", scope), ("unit_code", unit_code), ("light", light), ("kind", kind)):
        if value is not None:
            stmt = stmt.where(light_states.c[column] == value)
    rows, total = await fetch_page(conn, stmt, page=page, page_size=page_size)
    return Page(
        items=[
            LightOut(
                scope=r.scope,
                kind=r.kind,
                subject=r.subject,
                unit_code=r.unit_code,
                month=r.month,
                light=r.light,
                reason=r.reason,
                gap_points=r.gap_points,
            )
            for r in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )
