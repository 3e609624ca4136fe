"""Lights (亮灯, R3): the last published light of each subject, and judging a month now."""

from __future__ import annotations

from fastapi import APIRouter

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from diaodu_platform.paging import Page, PageNo, PageSize
from progress.domain.model import Light, LightKind, LightScope, Month
from progress.entrypoints.deps import ProgressUow, month_param
from progress.service_layer import lights as handlers
from progress.service_layer.commands import EvaluateLights
from progress.service_layer.queries import lights as queries
from progress.service_layer.read_models import LightOut

router = APIRouter()


@router.get("/lights", response_model=Page[LightOut], tags=["lights"])
async def list_lights(
    conn: Conn,
    _: CurrentPrincipal,
    scope: LightScope | None = None,
    unit_code: str | None = None,
    light: Light | None = None,
    kind: LightKind | None = None,
    page: PageNo = 1,
    page_size: PageSize = 100,
) -> Page[LightOut]:
    """The last published light of each project and unit (light_changed is emitted on a change)."""
    return await queries.list_lights(
        conn=conn, scope=scope, unit_code=unit_code, light=light, kind=kind, page=page, page_size=page_size
    )


@router.post("/lights/evaluate", response_model=list[LightOut], tags=["lights"])
async def evaluate_lights(
    _: Admin, new_uow: ProgressUow, now: Now, month: str | None = None
) -> list[LightOut]:
    """Judge a month now (default: the latest closed month) and publish the lights that changed."""
    cmd = EvaluateLights(Month.parse(month_param(month)) if month else None)
    async with new_uow() as uow:
        changes = await handlers.evaluate_lights(uow=uow, cmd=cmd, now=now)
    return [queries.changed_out(c) for c in changes]
