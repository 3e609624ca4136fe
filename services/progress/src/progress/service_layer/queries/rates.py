"""R6 rates of a unit or the region at a date, from each project's latest report up to that date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page
from progress.adapters.tables import campaigns, projects, reports
from progress.domain.model import Month
from progress.domain.rates import ProjectState, rates
from progress.service_layer import read_models as rm
from progress.service_layer.queries.monthly import latest_reports


def project_state(p: Any, latest: Any | None, at: date) -> ProjectState:
    """The project as of `at`: reported status, 入统 (dated no later than `at`) and procedures."""
    if latest is not None:
        registered, on = latest.stats_registered, latest.stats_registered_on
    else:
        registered, on = p.stats_registered, p.stats_registered_on
    procedures = (latest.procedures if latest is not None and latest.procedures else p.procedures) or []
    return ProjectState(
        project_id=p.id,
        build_type=p.build_type,
        planned_start=p.planned_start,
        status=latest.construction_status if latest is not None else None,
        stats_registered=bool(registered) and (on is None or on <= at),
        procedure_states=tuple(x["state"] for x in procedures),
    )


async def period_start(conn: AsyncConnection, *, at: date, campaign_id: str | None) -> date:
    if campaign_id is None:
        return date(at.year, 1, 1)
    start = (await conn.execute(select(campaigns.c.start_date).where(campaigns.c.id == campaign_id))).scalar()
    if not isinstance(start, date):
        raise not_found("campaign", campaign_id)
    return start


async def states_at(
    conn: AsyncConnection, *, at: date, unit_code: str | None
) -> dict[str, list[ProjectState]]:
    """Project states by unit code, cancelled projects left out."""
    pstmt = select(projects).where(projects.c.stage != "cancelled")
    lstmt = latest_reports(Month.of(at))
    if unit_code is not None:
        pstmt = pstmt.where(projects.c.unit_code == unit_code)
        lstmt = lstmt.where(reports.c.unit_code == unit_code)
    latest = {r.project_id: r for r in await conn.execute(lstmt)}
    out: dict[str, list[ProjectState]] = {}
    for p in await conn.execute(pstmt):
        out.setdefault(p.unit_code, []).append(project_state(p, latest.get(p.id), at))
    return out


def rates_out(
    states: list[ProjectState], *, scope: str, unit_code: str | None, at: date, start: date
) -> rm.RatesOut:
    return rm.RatesOut(
        scope=scope,
        unit_code=unit_code,
        at=at,
        period_start=start,
        projects=len(states),
        rates=[
            rm.RateOut(
                name=r.name, label=r.label, numerator=r.numerator, denominator=r.denominator, value=r.value
            )
            for r in rates(states, period_start=start, at=at)
        ],
    )


async def rates_for(
    conn: AsyncConnection, *, at: date, unit_code: str | None, campaign_id: str | None
) -> rm.RatesOut:
    """R6 for one unit, or the region when unit_code is None."""
    start = await period_start(conn, at=at, campaign_id=campaign_id)
    by_unit = await states_at(conn, at=at, unit_code=unit_code)
    states = [x for xs in by_unit.values() for x in xs]
    return rates_out(states, scope="unit" if unit_code else "region", unit_code=unit_code, at=at, start=start)


async def rates_by_unit(
    conn: AsyncConnection, *, at: date, campaign_id: str | None, page: int, page_size: int
) -> rm.UnitRatesOut:
    """R6 for the region and a page of units (by unit code)."""
    start = await period_start(conn, at=at, campaign_id=campaign_id)
    by_unit = await states_at(conn, at=at, unit_code=None)
    region = rates_out(
        [x for xs in by_unit.values() for x in xs], scope="region", unit_code=None, at=at, start=start
    )
    codes = sorted(by_unit)
    items = [
        rates_out(by_unit[c], scope="unit", unit_code=c, at=at, start=start)
        for c in codes[(page - 1) * page_size : page * page_size]
    ]
    return rm.UnitRatesOut(
        at=at,
        period_start=start,
        region=region,
        units=Page(items=items, total=len(codes), page=page, page_size=page_size),
    )
