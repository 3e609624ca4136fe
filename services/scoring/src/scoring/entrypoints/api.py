"""Scoring routes under /api/v1: thin, each parses, calls the service layer and maps the result."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from diaodu_platform.auth import CurrentPrincipal, Principal, Role, require_roles
from diaodu_platform.errors import Problem, conflict
from diaodu_platform.idempotency import IdempotencyKey, idempotent_create
from diaodu_platform.types import SHANGHAI
from diaodu_platform.xlsx import XLSX
from scoring.adapters import facts
from scoring.domain.periods import month_str, parse_quarter
from scoring.domain.policy import policy_to_dict
from scoring.domain.scoring import Scorecard
from scoring.domain.whatif import identical, rank_diff
from scoring.entrypoints import exports
from scoring.entrypoints import schemas as s
from scoring.service_layer import assessment, explanations, milestones, policies, whatif, yearend
from scoring.service_layer import metrics as campaign_metrics

router = APIRouter()
Admin = Annotated[Principal, require_roles(Role.admin)]
MonthQ = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
YearQ = Annotated[int, Query(ge=2000, le=2100)]
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
RANKING_ID = re.compile(r"^[0-9]{1,9}$")


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock.now()
    return now


def _month(request: Request) -> str:
    now = _now(request)
    return month_str(now.year, now.month)


# --- policies (考核办法) ------------------------------------------------------------------------


@router.get("/policies", response_model=None, tags=["policies"])
async def list_policies(request: Request, _: CurrentPrincipal) -> list[dict[str, Any]]:
    async with request.app.state.engine.begin() as conn:
        await policies.current_policy(conn, request.app.state.outbox, month=None, now=_now(request))
        return await policies.list_policies(conn)


@router.get("/policies/current", response_model=None, tags=["policies"])
async def current_policy(
    request: Request, _: CurrentPrincipal, month: MonthQ | None = None
) -> dict[str, Any]:
    """The version in force for `month` (default: this month)."""
    async with request.app.state.engine.begin() as conn:
        p = await policies.current_policy(
            conn, request.app.state.outbox, month=month or _month(request), now=_now(request)
        )
    return policy_to_dict(p)


@router.get("/policies/{version}", response_model=None, tags=["policies"])
async def get_policy(version: int, request: Request, _: CurrentPrincipal) -> dict[str, Any]:
    async with request.app.state.engine.connect() as conn:
        return policy_to_dict(await policies.require_policy(conn, version))


@router.post(
    "/policies",
    response_model=None,
    status_code=201,
    tags=["policies"],
    responses={201: {"description": "Published as the next version"}, 422: {"description": "Invalid"}},
)
async def publish_policy(
    request: Request, body: s.PolicyIn, principal: Admin, key: IdempotencyKey = None
) -> JSONResponse:
    """Publish a new policy version (`policy_published`); published versions never change."""
    draft = body.to_policy()

    async def action(session: AsyncSession) -> s.PolicyOut:
        conn = await session.connection()
        p = await policies.publish_policy(
            conn, request.app.state.outbox, draft=draft, by=principal.sub, now=_now(request)
        )
        return s.PolicyOut(**policy_to_dict(p))

    return await idempotent_create(
        request, principal=principal.sub, key=key, body=body.model_dump(mode="json"), action=action
    )


IMMUTABLE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Published policy versions are never changed"}
}


def _immutable(version: int) -> Problem:
    return conflict(
        f"policy version {version} is published and is never changed or deleted; publish a new "
        "version with POST /api/v1/policies",
        policy_version=version,
    )


@router.put("/policies/{version}", tags=["policies"], responses=IMMUTABLE, status_code=409)
async def replace_policy(version: int, _: Admin) -> None:
    """Refused: a published policy version is never changed in place (publish a new version)."""
    raise _immutable(version)


@router.patch("/policies/{version}", tags=["policies"], responses=IMMUTABLE, status_code=409)
async def patch_policy(version: int, _: Admin) -> None:
    """Refused: a published policy version is never changed in place (publish a new version)."""
    raise _immutable(version)


@router.delete("/policies/{version}", tags=["policies"], responses=IMMUTABLE, status_code=409)
async def delete_policy(version: int, _: Admin) -> None:
    """Refused: a published policy version is never deleted (publish a new version instead)."""
    raise _immutable(version)


# --- assessments, rankings, explanations (R9) -------------------------------------------------


@router.post(
    "/assessments",
    response_model=None,
    tags=["rankings"],
    status_code=201,
    responses={
        200: {"description": "Already published for this month and policy version"},
        201: {"description": "Published"},
        422: {"description": "Nothing to assess"},
    },
)
async def run_assessment(request: Request, body: s.AssessmentIn, principal: Admin) -> JSONResponse:
    """Run the monthly assessment of `month` now and publish it (once per month and policy version)."""
    async with request.app.state.engine.begin() as conn:
        outbox = request.app.state.outbox
        if body.policy_version is not None:
            policy = await policies.require_policy(conn, body.policy_version)
        else:
            policy = await policies.current_policy(conn, outbox, month=body.month, now=_now(request))
        try:
            ranking, created = await assessment.publish_month(
                conn,
                outbox,
                policy=policy,
                month=body.month,
                trigger="admin",
                by=principal.sub,
                now=_now(request),
            )
        except assessment.NothingToAssess as exc:
            raise Problem(
                422, "Nothing to assess", str(exc), type_="/problems/nothing-to-assess", month=body.month
            ) from exc
    if created:
        await campaign_metrics.refresh_after_publish(request.app)
    out = {**assessment.ranking_out(ranking), "already_published": not created}
    return JSONResponse(jsonable_encoder(out), status_code=201 if created else 200)


@router.get("/rankings", response_model=None, tags=["rankings"])
async def list_rankings(
    request: Request, _: CurrentPrincipal, year: YearQ | None = None, month: MonthQ | None = None
) -> list[dict[str, Any]]:
    async with request.app.state.engine.connect() as conn:
        return await assessment.list_rankings(conn, year=year, month=month)


async def _ranking(conn: AsyncConnection, month: str, policy_version: int | None) -> assessment.StoredRanking:
    r = await assessment.load_ranking(conn, month=month, policy_version=policy_version)
    if r is None:
        what = f"month {month}" + (f" under policy version {policy_version}" if policy_version else "")
        raise Problem(
            404,
            "Not found",
            f"no ranking has been published for {what}; run it with "
            "POST /api/v1/assessments or try a what-if",
            type_="/problems/not-found",
        )
    return r


async def _ranking_by_key(
    conn: AsyncConnection, key: str, policy_version: int | None
) -> assessment.StoredRanking:
    """A ranking by its id, or by its month as GET /rankings/{month} finds it."""
    if MONTH.fullmatch(key):
        return await _ranking(conn, key, policy_version)
    r = await assessment.load_ranking_by_id(conn, int(key)) if RANKING_ID.fullmatch(key) else None
    if r is None:
        raise Problem(
            404,
            "Not found",
            f"no ranking {key!r}: give a ranking id (from GET /api/v1/rankings) or a month YYYY-MM",
            type_="/problems/not-found",
        )
    return r


@router.get("/rankings/{month}", response_model=None, tags=["rankings"])
async def get_ranking(
    month: str, request: Request, _: CurrentPrincipal, policy_version: int | None = None
) -> dict[str, Any]:
    """A published ranking with every unit's scorecard (the latest one of the month by default)."""
    async with request.app.state.engine.connect() as conn:
        return assessment.ranking_out(await _ranking(conn, month, policy_version))


@router.get(
    "/rankings/{ranking}/export.xlsx",
    response_class=Response,
    tags=["rankings"],
    responses={200: {"content": {XLSX: {}}, "description": "an .xlsx file"}},
)
async def export_ranking(
    ranking: Annotated[str, Path(description="a ranking id (GET /rankings) or a month YYYY-MM")],
    request: Request,
    _: CurrentPrincipal,
    policy_version: Annotated[
        int | None, Query(description="with a month: the ranking under this version")
    ] = None,
) -> Response:
    """A published ranking as XLSX: every unit's rank, total and indicators (actual, target, rate,
    score), and the policy version; a month gives its latest ranking, as GET /rankings/{month}."""
    async with request.app.state.engine.connect() as conn:
        r = await _ranking_by_key(conn, ranking, policy_version)
    return Response(exports.ranking_xlsx(r), media_type=XLSX, headers=exports.attachment(r))


@router.get("/rankings/{month}/explanation", response_model=None, tags=["rankings"])
async def explain_ranking(
    month: str,
    request: Request,
    _: CurrentPrincipal,
    unit_code: str | None = None,
    policy_version: int | None = None,
) -> dict[str, Any]:
    """Every indicator of every unit (or one unit) with its inputs, their source event ids and the
    policy version."""
    async with request.app.state.engine.connect() as conn:
        r = await _ranking(conn, month, policy_version)
    if unit_code and unit_code not in r.inputs:
        raise Problem(
            404,
            "Not found",
            f"unit {unit_code} is not in the {month} ranking; ranked units: "
            f"{', '.join(c.unit_code for c in r.cards)}",
            type_="/problems/not-found",
        )
    return explanations.explain(r, unit_code)


def _cards_out(cards: list[Scorecard]) -> list[dict[str, Any]]:
    return [assessment.card_out(c) for c in cards]


@router.get("/rankings/{month}/recompute", response_model=None, tags=["rankings"])
async def recompute_ranking(
    month: str, request: Request, _: CurrentPrincipal, policy_version: int | None = None
) -> dict[str, Any]:
    """Recompute a published ranking from its stored policy and inputs alone; publishes nothing."""
    async with request.app.state.engine.connect() as conn:
        r = await _ranking(conn, month, policy_version)
    again = explanations.recompute(r)
    return {
        "ranking_id": r.id,
        "month": month,
        "policy_version": r.policy.version,
        "identical": identical(r.cards, again),
        "published": _cards_out(r.cards),
        "recomputed": _cards_out(again),
        "changes": [
            {"unit_code": x.unit_code, "rank_before": x.rank_before, "rank_after": x.rank_after}
            for x in rank_diff(r.cards, again)
            if x.rank_before != x.rank_after
        ],
    }


def _as_of(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or SHANGHAI) if value else None
    return datetime.combine(value, time.max, SHANGHAI)


@router.post("/what-if", response_model=None, tags=["rankings"])
async def what_if(request: Request, body: s.WhatIfIn, _: CurrentPrincipal) -> dict[str, Any]:
    """Recompute a month under another policy version, other weights or the data as of another date,
    and show the rank differences; nothing is stored or published."""
    async with request.app.state.engine.begin() as conn:
        return await whatif.what_if(
            conn,
            request.app.state.outbox,
            month=body.month,
            policy_version=body.policy_version,
            weights={str(k): v for k, v in (body.weights or {}).items()} or None,
            as_of=_as_of(body.as_of),
            now=_now(request),
        )


@router.get("/scorecards", response_model=None, tags=["rankings"])
async def list_scorecards(
    request: Request, _: CurrentPrincipal, unit_code: str, year: YearQ | None = None
) -> list[dict[str, Any]]:
    """A unit's scorecards of the published rankings (the latest ranking of each month)."""
    async with request.app.state.engine.connect() as conn:
        return await assessment.unit_scorecards(conn, unit_code=unit_code, year=year)


# --- milestones (R10), the attainment board, the year-end total ---------------------------------


@router.post("/milestones/check", response_model=None, tags=["milestones"])
async def check_milestones(request: Request, body: s.MilestoneCheckIn, _: Admin) -> list[dict[str, Any]]:
    """Check a quarter now; each miss is published once per (unit or region, quarter, metric)."""
    year, quarter = parse_quarter(body.period)
    async with request.app.state.engine.begin() as conn:
        policy = await policies.current_policy(conn, request.app.state.outbox, month=None, now=_now(request))
        await milestones.claim_quarter(conn, period=body.period, now=_now(request))
        return await milestones.check_quarter(
            conn, request.app.state.outbox, policy=policy, year=year, quarter=quarter, now=_now(request)
        )


@router.get("/milestones", response_model=None, tags=["milestones"])
async def list_milestones(
    request: Request,
    _: CurrentPrincipal,
    year: YearQ | None = None,
    unit_code: str | None = None,
    missed: bool | None = None,
) -> list[dict[str, Any]]:
    async with request.app.state.engine.connect() as conn:
        return await milestones.list_checks(conn, year=year, unit_code=unit_code, missed=missed)


@router.get("/board", response_model=None, tags=["milestones"])
async def attainment_board(
    request: Request,
    _: CurrentPrincipal,
    year: YearQ | None = None,
    month: MonthQ | None = None,
    unit_code: str | None = None,
) -> dict[str, Any]:
    """Target attainment board: every target of the year with actual, target, share and light."""
    month = month or (f"{year:04d}-12" if year and str(year) != _month(request)[:4] else _month(request))
    year = year or int(month[:4])
    async with request.app.state.engine.begin() as conn:
        policy = await policies.current_policy(conn, request.app.state.outbox, month=month, now=_now(request))
        return await milestones.board(conn, policy=policy, year=year, month=month, unit_code=unit_code)


@router.get("/year-totals/{year}", response_model=None, tags=["rankings"])
async def year_total(year: int, request: Request, _: CurrentPrincipal) -> dict[str, Any]:
    """年度算总账: every month's published ranking of the year added up per unit."""
    async with request.app.state.engine.connect() as conn:
        return await yearend.year_end_total(conn, year=year)


@router.get("/problem-stats", response_model=None, tags=["problems"])
async def problem_stats(
    request: Request, _: CurrentPrincipal, unit_code: str | None = None
) -> list[dict[str, Any]]:
    """Problem statistics per owner unit, from the escalation events."""
    async with request.app.state.engine.connect() as conn:
        return await facts.problem_stats(conn, unit_code=unit_code)
