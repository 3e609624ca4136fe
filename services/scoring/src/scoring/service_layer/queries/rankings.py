"""Reading published rankings (R9): by month or id, listed, and one unit's scorecards."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import Problem
from scoring.adapters.repositories import RankingRepository
from scoring.adapters.tables import rankings
from scoring.domain.ranking import PublishedRanking
from scoring.service_layer.read_models import RankingSummaryOut, ScorecardOut, UnitScorecardOut

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
RANKING_ID = re.compile(r"^[0-9]{1,9}$")


async def ranking_of_month(conn: AsyncConnection, month: str, policy_version: int | None) -> PublishedRanking:
    """The latest published ranking of `month` (under `policy_version` if given), or 404."""
    r = await RankingRepository(conn).get(month=month, policy_version=policy_version)
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


async def ranking_by_key(conn: AsyncConnection, key: str, policy_version: int | None) -> PublishedRanking:
    """A ranking by its id, or by its month as GET /rankings/{month} finds it."""
    if MONTH.fullmatch(key):
        return await ranking_of_month(conn, key, policy_version)
    r = await RankingRepository(conn).get_by_id(int(key)) if RANKING_ID.fullmatch(key) else None
    if r is None:
        raise Problem(
            404,
            "Not found",
            f"no ranking {key!r}: give a ranking id (from GET /api/v1/rankings) or a month YYYY-MM",
            type_="/problems/not-found",
        )
    return r


async def list_rankings(
    conn: AsyncConnection, *, year: int | None, month: str | None
) -> list[RankingSummaryOut]:
    """The published rankings (of a year or month), oldest first, with their bottom units."""
    stmt = select(rankings).order_by(rankings.c.month, rankings.c.id)
    if month:
        stmt = stmt.where(rankings.c.month == month)
    elif year:
        stmt = stmt.where(rankings.c.month.like(f"{year:04d}-%"))
    return [
        RankingSummaryOut(
            ranking_id=r.id,
            month=r.month,
            policy_version=r.policy_version,
            trigger=r.trigger,
            published_by=r.published_by,
            published_at=r.published_at,
            units=len(r.ranking),
            bottom_units=[x["unit_code"] for x in r.ranking[-r.policy.get("interview_count", 3) :]]
            if r.policy.get("interview_count", 3)
            else [],
        )
        for r in await conn.execute(stmt)
    ]


async def unit_scorecards(
    conn: AsyncConnection, *, unit_code: str, year: int | None
) -> list[UnitScorecardOut]:
    """One unit's scorecards in the latest published ranking of each month (for its leaders)."""
    latest = {r.month: r.policy_version for r in await list_rankings(conn, year=year, month=None)}
    repository = RankingRepository(conn)
    out = []
    for month in sorted(latest):
        r = await repository.get(month=month, policy_version=latest[month])
        card = next((c for c in r.cards if c.unit_code == unit_code), None) if r else None
        if r is not None and card is not None:
            out.append(
                UnitScorecardOut(
                    month=month,
                    ranking_id=r.id,
                    policy_version=r.policy.version,
                    ranked_count=len(r.cards),
                    interview=unit_code in r.interviews,
                    **ScorecardOut.of(card).model_dump(),
                )
            )
    return out
