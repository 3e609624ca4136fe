"""Views of a month (R2, R3, R5): a project's timeline, a unit's and the region's month, the schedule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import not_found
from progress.adapters.tables import anomalies, campaigns, reports
from progress.domain.lights import Verdict
from progress.domain.model import AnomalyStatus, LightKind, LightScope, Month
from progress.domain.policy import Policy
from progress.domain.schedule import actual_share, campaign_share, expected_share
from progress.entrypoints import schemas as s
from progress.service_layer.monthly import (
    ProjectMonth,
    Totals,
    month_view,
    project_month,
    region_target,
    totals,
)
from progress.service_layer.queries import load_project, project_out, report_out


def light_out(
    scope: LightScope, kind: LightKind, subject: str, unit_code: str, month: Month, v: Verdict
) -> s.LightOut:
    return s.LightOut(
        scope=scope,
        kind=kind,
        subject=subject,
        unit_code=unit_code,
        month=str(month),
        light=v.light,
        reason=v.reason,
        gap_points=v.gap_points,
    )


def _project_lights(pm: ProjectMonth, month: Month) -> list[s.LightOut]:
    p = pm.project
    return [light_out(LightScope.PROJECT, kind, p.id, p.unit_code, month, v) for kind, v in pm.lights.items()]


async def timeline(
    *, conn: AsyncConnection, project_id: str, year: int, now: datetime, policy: Policy
) -> s.TimelineOut:
    """Month by month up to now: the current revision, how many revisions, schedule and lights."""
    p = await load_project(conn, project_id)
    rows = (
        await conn.execute(
            select(reports)
            .where(reports.c.project_id == project_id)
            .order_by(reports.c.month, reports.c.revision)
        )
    ).all()
    current: dict[str, Any] = {}
    revisions: dict[str, int] = {}
    for r in rows:
        current[r.month] = r
        revisions[r.month] = revisions.get(r.month, 0) + 1
    last = min(Month(year, 12), Month.of(now.date()))
    months = []
    month = Month(year, 1)
    while month <= last:
        earlier = [m for m in current if m <= str(month)]
        latest = current[max(earlier)] if earlier else None
        pm = project_month(p, latest, month, policy)
        months.append(
            s.MonthEntry(
                month=str(month),
                report=report_out(pm.report) if pm.report is not None else None,
                revisions=revisions.get(str(month), 0),
                required=pm.required,
                expected_share=expected_share(month, policy),
                actual_share=actual_share(pm.ytd, p.annual_plan_investment) if p.plan_year == year else None,
                lights=_project_lights(pm, month),
            )
        )
        month = month.plus(1)
    open_count = (
        await conn.execute(
            select(func.count())
            .select_from(anomalies)
            .where(anomalies.c.project_id == project_id, anomalies.c.status == AnomalyStatus.OPEN.value)
        )
    ).scalar_one()
    return s.TimelineOut(project=project_out(p), year=year, months=months, open_anomalies=int(open_count))


def totals_out(t: Totals) -> s.Totals:
    return s.Totals(
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
) -> s.UnitMonthOut:
    """A unit's month: reports in, missing, lights, totals against target or plan."""
    views = await month_view(conn, month=month, policy=policy, unit_code=unit_code)
    if not views:
        raise not_found("unit", unit_code)
    um = views[0]
    listed = [pm for pm in um.projects if pm.required or pm.report is not None]
    lines = [
        s.ProjectMonthLine(
            project_id=pm.project.id,
            name=pm.project.name,
            required=pm.required,
            report_id=pm.report.report_id if pm.report is not None else None,
            revision=pm.report.revision if pm.report is not None else None,
            investment_month=pm.report.investment_month if pm.report is not None else None,
            investment_ytd=pm.ytd if pm.latest is not None else None,
            annual_plan_investment=pm.project.annual_plan_investment,
            late=pm.report.late if pm.report is not None else None,
            lights=_project_lights(pm, month),
        )
        for pm in listed[(page - 1) * page_size : page * page_size]
    ]
    return s.UnitMonthOut(
        unit_code=um.unit_code,
        unit_name=um.unit_name,
        month=str(month),
        reports_in=um.reports_in,
        required=um.required,
        missing_project_ids=um.missing_ids,
        totals=totals_out(um.totals),
        light=light_out(LightScope.UNIT, LightKind.UNIT, um.unit_code, um.unit_code, month, um.light),
        projects=s.Page(items=lines, total=len(listed), page=page, page_size=page_size),
    )


async def region_month(
    *, conn: AsyncConnection, month: Month, policy: Policy, page: int, page_size: int
) -> s.RegionMonthOut:
    """The region's month: totals against the regional target, and a page of units with their lights."""
    views = await month_view(conn, month=month, policy=policy)
    all_projects = [pm for um in views for pm in um.projects]
    tot, _ = totals(all_projects, month=month, policy=policy, target=await region_target(conn, month))
    counts = dict.fromkeys(("green", "yellow", "red"), 0)
    for um in views:
        counts[um.light.light.value] += 1
    units = [
        s.UnitLine(
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
    return s.RegionMonthOut(
        month=str(month),
        reports_in=sum(um.reports_in for um in views),
        required=sum(um.required for um in views),
        missing=sum(len(um.missing_ids) for um in views),
        totals=totals_out(tot),
        lights=counts,
        units=s.Page(items=units, total=len(views), page=page, page_size=page_size),
    )


async def schedule(
    *,
    conn: AsyncConnection,
    month: Month | None,
    campaign_id: str | None,
    at: date | None,
    today: date,
    policy: Policy,
) -> s.ScheduleOut:
    """R2: the expected share at the end of a month, or of a campaign window at a date."""
    if campaign_id is not None:
        c = (await conn.execute(select(campaigns).where(campaigns.c.id == campaign_id))).first()
        if c is None:
            raise not_found("campaign", campaign_id)
        day = at or (month.last_day if month else c.end_date)
        return s.ScheduleOut(
            month=str(month) if month else None,
            campaign_id=campaign_id,
            at=day,
            curve="campaign_window",
            expected_share=campaign_share(c.start_date, c.end_date, day),
        )
    target = month or Month.of(at or today)
    return s.ScheduleOut(
        month=str(target), curve=policy.schedule_curve.value, expected_share=expected_share(target, policy)
    )
