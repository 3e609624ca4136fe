"""Escalation routes under /api/v1: thin, each parses, calls one handler and maps the result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from diaodu_platform.auth import CurrentPrincipal, Principal, Role, require_roles
from diaodu_platform.db import SessionDep, unit_of_work
from diaodu_platform.idempotency import IdempotencyKey, idempotent_create
from diaodu_platform.xlsx import XLSX
from escalation.adapters.tables import ProblemRow
from escalation.domain.model import Category, Severity, Source, Status
from escalation.entrypoints import exports
from escalation.entrypoints import schemas as s
from escalation.events import NoticeIssued
from escalation.service_layer import closing, dispatch, problems, queries
from escalation.service_layer.common import Deps
from escalation.service_layer.metrics import count_facts

router = APIRouter()
Raiser = Annotated[Principal, require_roles(Role.admin, Role.supervisor, Role.reporter)]
Office = Annotated[Principal, require_roles(Role.admin, Role.supervisor)]
Owner = Annotated[Principal, require_roles(Role.admin, Role.reporter)]
Reporter = Annotated[Principal, require_roles(Role.admin, Role.reporter, Role.leader)]
Closer = Annotated[Principal, require_roles(Role.admin, Role.reporter, Role.leader, Role.supervisor)]
Reopener = Annotated[Principal, require_roles(Role.admin, Role.supervisor, Role.reporter)]
Reader = Annotated[Principal, require_roles(Role.admin, Role.supervisor, Role.leader)]
PageNo = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200)]
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created"},
    422: {"description": "Invalid input (problem+json)"},
}
XLSX_FILE: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}, "description": "an .xlsx file"}}
COMMAND: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not allowed for this role, unit or level"},
    409: {"description": "Not allowed in the problem's current status; lists the allowed ones"},
}


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock.now()
    return now


Command = Callable[..., Awaitable[ProblemRow]]


async def _command(request: Request, handler: Command, **kwargs: Any) -> s.ProblemOut:
    now = _now(request)
    async with unit_of_work(request.app.state.engine) as session:
        p = await handler(session=session, deps=_deps(request), now=now, **kwargs)
        return await queries.problem_out(session, p, now)


@router.post("/problems", status_code=201, response_model=s.ProblemOut, tags=["problems"], responses=CREATED)
async def raise_problem(
    request: Request, body: s.ProblemIn, principal: Raiser, key: IdempotencyKey = None
) -> JSONResponse:
    """发现: raise a problem (a reporter for its own unit)."""
    now = _now(request)

    async def action(session: AsyncSession) -> s.ProblemOut:
        p = await problems.raise_problem(
            session=session, deps=_deps(request), principal=principal, data=body, now=now
        )
        return await queries.problem_out(session, p, now)

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


def problem_filter(
    state: Literal["open", "resolved", "all"] = "open",
    status: Status | None = None,
    level: Annotated[int | None, Query(ge=1, le=3, description="1 unit, 2 leader, 3 county meeting")] = None,
    owner_unit: str | None = None,
    leader_id: str | None = None,
    overdue: Annotated[bool | None, Query(description="past the resolve deadline at its level")] = None,
    project_id: str | None = None,
    category: Category | None = None,
    severity: Severity | None = None,
    source: Source | None = None,
) -> queries.ProblemFilter:
    return queries.ProblemFilter(
        state=state,
        status=status,
        level=level,
        owner_unit=owner_unit,
        leader_id=leader_id,
        overdue=overdue,
        project_id=project_id,
        category=category,
        severity=severity,
        source=source,
    )


Filters = Annotated[queries.ProblemFilter, Depends(problem_filter)]


@router.get("/problems", response_model=s.Page[s.ProblemOut], tags=["problems"])
async def list_problems(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    filters: Filters,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.ProblemOut]:
    """The 督查室's lists by level, owner, leader and overdue state.

    Reporters see their unit's problems, leaders their own.
    """
    return await queries.list_problems(
        session=session,
        principal=principal,
        now=_now(request),
        filters=filters,
        page=page,
        page_size=page_size,
    )


# Declared before /problems/{problem_id}, which would otherwise take "export.xlsx" for an id.
@router.get("/problems/export.xlsx", response_class=Response, tags=["problems"], responses=XLSX_FILE)
async def export_problems(
    request: Request, session: SessionDep, principal: CurrentPrincipal, filters: Filters
) -> Response:
    """问题清单 as XLSX: every problem of the list with the same filters (and the same visibility)."""
    now = _now(request)
    problems = await queries.all_problems(session=session, principal=principal, now=now, filters=filters)
    leaders = await queries.leader_names(session, (x for p in problems for x in p.leader_ids))
    return Response(
        exports.problems_xlsx(problems, leaders),
        media_type=XLSX,
        headers=exports.attachment(f"problems-{now.date()}.xlsx", f"问题清单-{now.date()}.xlsx"),
    )


@router.get("/problems/{problem_id}", response_model=s.ProblemDetail, tags=["problems"])
async def get_problem(
    problem_id: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> s.ProblemDetail:
    """One problem with its clocks, notices and full history."""
    return await queries.get_problem(
        session=session, principal=principal, problem_id=problem_id, now=_now(request)
    )


@router.post(
    "/problems/{problem_id}/assign", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def assign(problem_id: str, body: s.AssignIn, request: Request, principal: Office) -> s.ProblemOut:
    """交办: start the 13710 clocks."""
    return await _command(request, problems.assign, principal=principal, problem_id=problem_id, data=body)


@router.post(
    "/problems/{problem_id}/acknowledge", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def acknowledge(
    problem_id: str, body: s.AcknowledgeIn, request: Request, principal: Owner
) -> s.ProblemOut:
    return await _command(
        request, problems.acknowledge, principal=principal, problem_id=problem_id, data=body
    )


@router.post(
    "/problems/{problem_id}/progress", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def progress(problem_id: str, body: s.NoteIn, request: Request, principal: Reporter) -> s.ProblemOut:
    return await _command(request, problems.progress, principal=principal, problem_id=problem_id, data=body)


@router.post("/problems/{problem_id}/plan", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND)
async def file_plan(problem_id: str, body: s.PlanIn, request: Request, principal: Owner) -> s.ProblemOut:
    """A major problem's timeline and plan; its resolve deadline becomes the plan's date."""
    return await _command(request, problems.file_plan, principal=principal, problem_id=problem_id, data=body)


@router.post(
    "/problems/{problem_id}/resolve", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def resolve(problem_id: str, body: s.ResolveIn, request: Request, principal: Closer) -> s.ProblemOut:
    """销号 with a resolution note, by whoever holds the problem's level."""
    return await _command(request, closing.resolve, principal=principal, problem_id=problem_id, data=body)


@router.post(
    "/problems/{problem_id}/reopen", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def reopen(problem_id: str, body: s.ReopenIn, request: Request, principal: Reopener) -> s.ProblemOut:
    return await _command(request, closing.reopen, principal=principal, problem_id=problem_id, data=body)


@router.post(
    "/problems/{problem_id}/notices",
    status_code=201,
    response_model=s.NoticeOut,
    tags=["notices"],
    responses={**CREATED, **COMMAND},
)
async def issue_notice(
    problem_id: str, body: s.NoticeIn, request: Request, principal: Office, key: IdempotencyKey = None
) -> JSONResponse:
    """The 督查室 issues a numbered 督办函 by hand."""
    now = _now(request)
    issued: list[NoticeIssued] = []  # of the attempt that committed (a lost key race rolls back)

    async def action(session: AsyncSession) -> s.NoticeOut:
        event = await closing.notice_by_hand(
            session=session,
            deps=_deps(request),
            principal=principal,
            problem_id=problem_id,
            data=body,
            now=now,
        )
        issued[:] = [event]
        return s.NoticeOut(
            number=event.notice_number,
            problem_id=event.problem_id,
            level=event.level,
            reason=event.reason,
            issued_by=event.issued_by,
            issued_at=now,
            owner_unit=event.owner_unit,
            deadline=event.deadline,
            note=event.note,
        )

    response = await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )
    if "Idempotent-Replayed" not in response.headers:  # committed by this call: a new fact
        count_facts(request.app.state.metrics.escalation, issued)
    return response


@router.get("/notices", response_model=s.Page[s.NoticeOut], tags=["notices"])
async def list_notices(
    session: SessionDep,
    _: Reader,
    year: int | None = None,
    problem_id: str | None = None,
    page: PageNo = 1,
    page_size: PageSize = 50,
) -> s.Page[s.NoticeOut]:
    return await queries.list_notices(
        session=session, year=year, problem_id=problem_id, page=page, page_size=page_size
    )


@router.get("/notices/export.xlsx", response_class=Response, tags=["notices"], responses=XLSX_FILE)
async def export_notices(
    request: Request, session: SessionDep, _: Reader, year: int | None = None, problem_id: str | None = None
) -> Response:
    """督办函 as XLSX: number, problem, unit, level, deadline, issued at and reason of every notice."""
    lines = await queries.all_notices(session=session, year=year, problem_id=problem_id)
    name = "notices" + (f"-{year}" if year else "")
    label = "督办函" + (f"-{year}" if year else "")
    return Response(
        exports.notices_xlsx(lines),
        media_type=XLSX,
        headers=exports.attachment(f"{name}.xlsx", f"{label}.xlsx"),
    )


@router.get("/meeting-items", response_model=list[s.MeetingItemOut], tags=["notices"])
async def list_meeting_items(
    request: Request, session: SessionDep, _: Reader, open_only: bool = True
) -> list[s.MeetingItemOut]:
    """县政府会议 agenda items: problems escalated to level 3."""
    return await dispatch.list_meeting_items(session=session, open_only=open_only, now=_now(request))


@router.get("/dispatch-lists", response_model=list[s.DispatchSummary], tags=["dispatch"])
async def dispatch_summary(request: Request, session: SessionDep, _: Office) -> list[s.DispatchSummary]:
    """双周调度: leaders with open problems, by level and overdue."""
    return await dispatch.dispatch_summary(session=session, now=_now(request))


@router.get("/dispatch-lists/{leader_id}", response_model=s.DispatchList, tags=["dispatch"])
async def dispatch_list(
    leader_id: str,
    request: Request,
    session: SessionDep,
    principal: Reader,
    as_of: Annotated[date | None, Query(description="last day of the fortnight")] = None,
) -> s.DispatchList:
    """双周调度 list of one leader."""
    now = _now(request)
    return await dispatch.dispatch_list(
        session=session,
        principal=principal,
        leader_id=leader_id,
        as_of=as_of or now.date(),
        period_days=request.app.state.settings.dispatch_period_days,
        now=now,
    )
