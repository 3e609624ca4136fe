"""Read routes under /api/v1: projects and timelines, months, lights, rates, schedule and policy."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.errors import Problem
from progress.domain.deadlines import latest_closed_month
from progress.domain.model import Light, LightKind, LightScope, Month
from progress.domain.policy import Policy
from progress.entrypoints import schemas as s
from progress.entrypoints.deps import (
    Admin,
    Conn,
    PageNo,
    PageSize,
    clock_now,
    month_param,
)
from progress.service_layer import jobs, queries, rates, views
from progress.service_layer.policy import load_policy, policy_from_data, policy_to_data, save_policy

router = APIRouter()


# --- projects (projection of the registry) and their timeline -----------------------------------


@router.get("/projects", response_model=s.Page[s.ProjectOut], tags=["projects"])
async def list_projects(
    conn: Conn,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    stage: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.ProjectOut]:
    """Projects as this service knows them from the registry's events."""
    return await queries.list_projects(
        conn=conn, unit_code=unit_code, stage=stage, page=page, page_size=page_size
    )


@router.get("/projects/{project_id}", response_model=s.ProjectOut, tags=["projects"])
async def get_project(project_id: str, conn: Conn, _: CurrentPrincipal) -> s.ProjectOut:
    return await queries.get_project(conn=conn, project_id=project_id)


@router.get("/projects/{project_id}/timeline", response_model=s.TimelineOut, tags=["projects"])
async def project_timeline(
    project_id: str,
    request: Request,
    conn: Conn,
    _: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> s.TimelineOut:
    """The project's year month by month: report, revisions, 序时进度 and lights."""
    now = clock_now(request)
    policy, _v = await load_policy(conn)
    return await views.timeline(
        conn=conn, project_id=project_id, year=year or now.year, now=now, policy=policy
    )


# --- a unit's and the region's month -------------------------------------------------------------


@router.get("/units/{unit_code}/months/{month}", response_model=s.UnitMonthOut, tags=["months"])
async def unit_month(
    unit_code: str, month: str, conn: Conn, _: CurrentPrincipal, page: PageNo = 1, page_size: PageSize = 100
) -> s.UnitMonthOut:
    """Reports in, missing projects, lights, and totals against the target (or the annual plans)."""
    policy, _v = await load_policy(conn)
    return await views.unit_month(
        conn=conn,
        unit_code=unit_code,
        month=Month.parse(month_param(month)),
        policy=policy,
        page=page,
        page_size=page_size,
    )


@router.get("/region/months/{month}", response_model=s.RegionMonthOut, tags=["months"])
async def region_month(
    month: str, conn: Conn, _: CurrentPrincipal, page: PageNo = 1, page_size: PageSize = 100
) -> s.RegionMonthOut:
    """The region's month: totals against the regional target and every unit's light."""
    policy, _v = await load_policy(conn)
    return await views.region_month(
        conn=conn, month=Month.parse(month_param(month)), policy=policy, page=page, page_size=page_size
    )


@router.get("/lights", response_model=s.Page[s.LightOut], tags=["lights"])
async def list_lights(
    conn: Conn,
    _: CurrentPrincipal,
    scope: LightScope | None = None,
    unit_code: str | None = None,
    light: Light | None = None,
    kind: LightKind | None = None,
    page: PageNo = 1,
    page_size: PageSize = 100,
) -> s.Page[s.LightOut]:
    """The last published light of each project and unit (light_changed is emitted on a change)."""
    return await queries.list_lights(
        conn=conn, scope=scope, unit_code=unit_code, light=light, kind=kind, page=page, page_size=page_size
    )


@router.post("/lights/evaluate", response_model=list[s.LightOut], tags=["lights"])
async def evaluate_lights(request: Request, _: Admin, month: str | None = None) -> list[s.LightOut]:
    """Judge a month now (default: the latest closed month) and publish the lights that changed."""
    now = clock_now(request)
    async with request.app.state.engine.begin() as conn:
        policy, _v = await load_policy(conn)
        target = Month.parse(month_param(month)) if month else latest_closed_month(now, policy)
        changes = await jobs.update_lights(
            conn=conn, outbox=request.app.state.outbox, month=target, policy=policy, now=now
        )
    return [
        s.LightOut(
            scope=c.scope,
            kind=c.kind,
            subject=c.project_id or c.unit_code,
            unit_code=c.unit_code,
            month=c.month,
            light=c.light,
            reason=c.reason,
            gap_points=c.gap_points,
        )
        for c in changes
    ]


# --- R6 rates and R2 schedule --------------------------------------------------------------------


@router.get("/rates", response_model=s.RatesOut, tags=["rates"])
async def get_rates(
    request: Request,
    conn: Conn,
    _: CurrentPrincipal,
    at: date | None = None,
    unit_code: str | None = None,
    campaign_id: str | None = None,
) -> s.RatesOut:
    """复工率, 新建开工率, 开复工率, 手续办结率, 入统率 of a unit (or the region) at a date, default today."""
    return await rates.rates_for(
        conn=conn, at=at or clock_now(request).date(), unit_code=unit_code, campaign_id=campaign_id
    )


@router.get("/rates/units", response_model=s.UnitRatesOut, tags=["rates"])
async def rates_by_unit(
    request: Request,
    conn: Conn,
    _: CurrentPrincipal,
    at: date | None = None,
    campaign_id: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 100,
) -> s.UnitRatesOut:
    """R6 rates of the region and of each unit."""
    return await rates.rates_by_unit(
        conn=conn, at=at or clock_now(request).date(), campaign_id=campaign_id, page=page, page_size=page_size
    )


@router.get("/schedule", response_model=s.ScheduleOut, tags=["schedule"])
async def get_schedule(
    request: Request,
    conn: Conn,
    _: CurrentPrincipal,
    month: str | None = None,
    campaign_id: str | None = None,
    at: date | None = None,
) -> s.ScheduleOut:
    """序时进度 (R2): m/12 or the milestone curve at a month's end, or a campaign window's elapsed share."""
    policy, _v = await load_policy(conn)
    return await views.schedule(
        conn=conn,
        month=Month.parse(month_param(month)) if month else None,
        campaign_id=campaign_id,
        at=at,
        today=clock_now(request).date(),
        policy=policy,
    )


# --- policy (configurable numbers of R2–R5) ------------------------------------------------------


def _policy_out(policy: Policy, version: int) -> s.PolicyOut:
    return s.PolicyOut(**policy_to_data(policy), version=version)


@router.get("/policy", response_model=s.PolicyOut, tags=["policy"])
async def get_policy(conn: Conn, _: CurrentPrincipal) -> s.PolicyOut:
    policy, version = await load_policy(conn)
    return _policy_out(policy, version)


@router.put("/policy", response_model=s.PolicyOut, tags=["policy"])
async def put_policy(body: s.PolicyBody, request: Request, principal: Admin) -> s.PolicyOut:
    """Replace the policy (due day, reminder, schedule curve, light thresholds, flag factors)."""
    try:
        policy = policy_from_data(body.model_dump(mode="json"))
    except ValueError as exc:
        raise Problem(
            422,
            "Invalid policy",
            str(exc),
            type_="/problems/validation",
            errors=[{"field": "policy", "message": str(exc)}],
        ) from exc
    async with request.app.state.engine.begin() as conn:
        version = await save_policy(conn, policy=policy, by=principal.sub, at=clock_now(request))
    return _policy_out(policy, version)
