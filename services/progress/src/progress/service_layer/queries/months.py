"""A unit's and the region's month (R2, R3, R5): reports in and missing, totals, lights."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page
from progress.domain.model import LightKind, LightScope, Month
from progress.domain.policy import Policy
from progress.service_layer import read_models as rm
from progress.service_layer.queries.lights import light_out
from progress.service_layer.queries.monthly import ProjectMonth, Totals, month_view, region_target, totals


def project_lights(pm: ProjectMonth, month: Month) -> list[rm.LightOut]:
    p = pm.project
    return [light_out(LightScope.PROJECT, kind, p.id, p.unit_code, month, v) for kind, v in pm.lights.items()]


def totals_out(t: Totals) -> rm.Totals:
    return rm.Totals(
        investment_month=t.investment_month,
        investment_ytd=t.investment_ytd,
        annual_plan_investment=t.annual_plan,
        target=t.target,
        target_source=t.target_source,
        expected_share=t.expected,
        actual_share=t.share,
        gap_points=t.gap,
    )


async def unit_month(
    *, conn: AsyncConnection, unit_code: str, month: Month, policy: Policy, page: int, page_size: int
) -> rm.UnitMonthOut:
    """A unit's month: reports in, missing, lights, totals against target or plan."""
    views = await month_view(conn, month=month, policy=policy, unit_code=unit_code)
    if not views:
        raise not_found("unit", unit_code)
    um = views[0]
    listed = [pm for pm in um.projects if pm.required or pm.report is not None]
    lines = [
        rm.ProjectMonthLine(
            project_id=pm.project.id,
            name=pm.project.name,
            required=pm.required,
            report_id=pm.report.report_id if pm.report is not None else None,
            revision=pm.report.revision if pm.report is not None else None,
            investment_month=pm.report.investment_month if pm.report is not None else None,
            investment_ytd=pm.ytd if pm.latest is not None else None,
            annual_plan_investment=pm.project.annual_plan_investment,
            late=pm.report.late if pm.report is not None else None,
            lights=project_lights(pm, month),
        )
        for pm in listed[(page - 1) * page_size : page * page_size]
    ]
    return rm.UnitMonthOut(
        unit_code=um.unit_code,
        unit_name=um.unit_name,
        month=str(month),
        reports_in=um.reports_in,
        required=um.required,
        missing_project_ids=um.missing_ids,
        totals=totals_out(um.totals),
        light=light_out(LightScope.UNIT, LightKind.UNIT, um.unit_code, um.unit_code, month, um.light),
        projects=Page(items=lines, total=len(listed), page=page, page_size=page_size),
    )


async def region_month(
    *, conn: AsyncConnection, month: Month, policy: Policy, page: int, page_size: int
) -> rm.RegionMonthOut:
    """The region's month: totals against the regional target, and a page of units with their lights."""
    views = await month_view(conn, month=month, policy=policy)
    all_projects = [pm for um in views for pm in um.projects]
    tot, _ = totals(all_projects, month=month, policy=policy, target=await region_target(conn, month))
    counts = dict.fromkeys(("green", "yellow", "red"), 0)
    for um in views:
        counts[um.light.light.value] += 1
    units = [
        rm.UnitLine(
            unit_code=um.unit_code,
            unit_name=um.unit_name,
            reports_in=um.reports_in,
            required=um.required,
            missing=len(um.missing_ids),
            investment_ytd=um.totals.investment_ytd,
            target=um.totals.target,
            actual_share=um.totals.share,
            light=um.light.light,
            reason=um.light.reason,
        )
        for um in views[(page - 1) * page_size : page * page_size]
    ]
    return rm.RegionMonthOut(
        month=str(month),
        reports_in=sum(um.reports_in for um in views),
        required=sum(um.required for um in views),
        missing=sum(len(um.missing_ids) for um in views),
        totals=totals_out(tot),
        lights=counts,
        units=Page(items=units, total=len(views), page=page, page_size=page_size),
    )
