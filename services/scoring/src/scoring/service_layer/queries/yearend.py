"""Year-end total (年度算总账): every month's published ranking of a year, added up per unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.tables import interviews, rankings, scorecards
from scoring.domain.yearend import MonthResult, year_total
from scoring.service_layer.read_models import YearMonthOut, YearTotalOut, YearUnitOut


async def _month_results(
    conn: AsyncConnection, year: int
) -> tuple[dict[int, tuple[str, int, int]], list[Any]]:
    """The latest ranking of each month of the year (month, policy version, units) and its results."""
    latest = (
        select(func.max(rankings.c.id).label("id"))
        .where(rankings.c.month.like(f"{year:04d}-%"))
        .group_by(rankings.c.month)
        .subquery()
    )
    ids = [r.id for r in await conn.execute(select(latest.c.id))]
    ranked = {
        r.id: (r.month, r.policy_version, len(r.ranking))
        for r in await conn.execute(select(rankings).where(rankings.c.id.in_(ids)))
    }
    summoned = {
        (r.ranking_id, r.unit_code)
        for r in await conn.execute(
            select(interviews.c.ranking_id, interviews.c.unit_code).where(interviews.c.ranking_id.in_(ids))
        )
    }
    results = [
        MonthResult(
            ranked[r.ranking_id][0],
            r.unit_code,
            r.scorecard["unit_name"],
            r.rank,
            ranked[r.ranking_id][2],
            r.total_score,
            (r.ranking_id, r.unit_code) in summoned,
        )
        for r in await conn.execute(select(scorecards).where(scorecards.c.ranking_id.in_(ids)))
    ]
    return ranked, results


async def year_end_total(conn: AsyncConnection, *, year: int) -> YearTotalOut:
    ranked, results = await _month_results(conn, year)
    return YearTotalOut(
        year=year,
        months=[
            YearMonthOut(month=m, ranking_id=rid, policy_version=v)
            for rid, (m, v, _) in sorted(ranked.items(), key=lambda kv: kv[1][0])
        ],
        units=[
            YearUnitOut(
                year_rank=x.year_rank,
                unit_code=x.unit_code,
                unit_name=x.unit_name,
                months_assessed=len(x.months),
                total_score=x.total_score,
                average_score=x.average_score,
                best_rank=x.best_rank,
                worst_rank=x.worst_rank,
                interviews=x.interviews,
            )
            for x in year_total(results)
        ],
    )
