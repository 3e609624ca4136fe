"""Reading the projections back as domain facts, with the data as of a given time.

`as_of` None means every event received so far; otherwise only events whose time (ce_time) is at
or before it count, which is how a what-if sees "the data as of another date".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.tables import (
    leader_assignments,
    problems,
    project_versions,
    reports,
    stage_changes,
    target_facts,
    unit_facts,
    unit_returns,
)
from scoring.domain.indicators import EnterpriseFact, Figure, ProjectFact, TargetRef
from scoring.domain.periods import Window

STARTED_STATUSES = frozenset({"started", "resumed", "suspended", "completed"})
STARTED_STAGES = frozenset({"construction", "completed"})


def _upto(stmt: Select[Any], column: Any, as_of: datetime | None) -> Select[Any]:
    return stmt if as_of is None else stmt.where(column <= as_of)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    source_event_id: str


async def load_units(conn: AsyncConnection, *, as_of: datetime | None) -> dict[str, UnitRow]:
    t = unit_facts
    stmt = _upto(
        select(t).distinct(t.c.unit_code).order_by(t.c.unit_code, t.c.occurred_at.desc(), t.c.id.desc()),
        t.c.occurred_at,
        as_of,
    )
    return {r.unit_code: UnitRow(r.unit_code, r.unit_name, r.kind, r.ce_id) for r in await conn.execute(stmt)}


async def load_targets(
    conn: AsyncConnection, *, period: str, as_of: datetime | None
) -> dict[tuple[str | None, str], TargetRef]:
    """(unit code or None for the region, metric) → target of `period`; a target without a campaign
    wins over campaign targets of the same period, then the lowest target id."""
    t = target_facts
    latest = _upto(
        select(t).distinct(t.c.target_id).order_by(t.c.target_id, t.c.occurred_at.desc(), t.c.id.desc()),
        t.c.occurred_at,
        as_of,
    ).subquery()
    rows = (
        await conn.execute(
            select(latest)
            .where(latest.c.period == period)
            .order_by(latest.c.campaign_id.is_not(None), latest.c.target_id)
        )
    ).all()
    out: dict[tuple[str | None, str], TargetRef] = {}
    for r in rows:
        key = (r.unit_code if r.scope == "unit" else None, r.metric)
        out.setdefault(key, TargetRef(r.metric, r.period, r.value, r.ce_id, r.target_id))
    return out


async def list_targets(conn: AsyncConnection, *, period: str, as_of: datetime | None) -> list[Any]:
    t = target_facts
    latest = _upto(
        select(t).distinct(t.c.target_id).order_by(t.c.target_id, t.c.occurred_at.desc(), t.c.id.desc()),
        t.c.occurred_at,
        as_of,
    ).subquery()
    return list(
        (
            await conn.execute(
                select(latest).where(latest.c.period == period).order_by(latest.c.metric, latest.c.unit_code)
            )
        ).all()
    )


def _figure(rows: list[Any], column: str, upto: str, since: str | None = None) -> Figure | None:
    """The newest report (by month) at or before `upto` (and from `since`) with a value in `column`."""
    for r in rows:  # newest month first
        if r.month > upto:
            continue
        if since is not None and r.month < since:
            return None
        value = getattr(r, column)
        if value is not None:
            return Figure(Decimal(value), r.ce_id, r.month)
    return None


async def load_project_facts(
    conn: AsyncConnection, *, window: Window, as_of: datetime | None
) -> list[ProjectFact]:
    """Every project known to the projections, with its figures for `window`."""
    pv = project_versions
    snaps = {
        r.project_id: r
        for r in await conn.execute(
            _upto(
                select(pv).distinct(pv.c.project_id).order_by(pv.c.project_id, pv.c.version.desc()),
                pv.c.occurred_at,
                as_of,
            )
        )
    }
    sc = stage_changes
    stages = {
        r.project_id: r
        for r in await conn.execute(
            _upto(
                select(sc)
                .distinct(sc.c.project_id)
                .order_by(sc.c.project_id, sc.c.occurred_at.desc(), sc.c.id.desc()),
                sc.c.occurred_at,
                as_of,
            )
        )
    }
    rp = reports
    latest_revisions = (
        _upto(
            select(rp).distinct(rp.c.report_id).order_by(rp.c.report_id, rp.c.revision.desc()),
            rp.c.occurred_at,
            as_of,
        )
        .where(rp.c.month <= window.last)
        .subquery()
    )
    by_project: dict[str, list[Any]] = defaultdict(list)
    for r in await conn.execute(
        select(latest_revisions).order_by(
            latest_revisions.c.month.desc(), latest_revisions.c.occurred_at.desc()
        )
    ):
        by_project[r.project_id].append(r)
    year_start = window.last[:4] + "-01"
    base = window.base_month
    facts = []
    for pid in sorted(set(snaps) | set(by_project)):
        snap, rows, change = snaps.get(pid), by_project.get(pid, []), stages.get(pid)
        latest = rows[0] if rows else None
        stage = snap.stage if snap else "planned"
        stage_source = snap.ce_id if snap else None
        if change is not None and (snap is None or change.occurred_at >= snap.occurred_at):
            stage, stage_source = change.to_stage, change.ce_id
        if latest is not None:
            started = latest.construction_status in STARTED_STATUSES or latest.actual_start_date is not None
            status_source: str | None = latest.ce_id
        else:
            started, status_source = stage in STARTED_STAGES, stage_source
        signed_end = _figure(rows, "signed_amount", window.last)
        if signed_end is None and snap is not None and snap.signed_amount is not None:
            signed_end = Figure(Decimal(snap.signed_amount), snap.ce_id, None)
        funds_end = _figure(rows, "funds_in_place", window.last)
        if funds_end is None and snap is not None and snap.funds_in_place is not None:
            funds_end = Figure(Decimal(snap.funds_in_place), snap.ce_id, None)
        is_signed = bool(snap.is_signed_project) if snap else False
        is_signed = is_signed or bool(signed_end and signed_end.value > 0)
        facts.append(
            ProjectFact(
                project_id=pid,
                name=snap.name if snap else pid,
                unit_code=snap.unit_code if snap else rows[0].unit_code,
                is_signed=is_signed,
                started=started,
                stats_registered=bool(latest.stats_registered)
                if latest
                else bool(snap and snap.stats_registered),
                status_source=status_source,
                signed_end=signed_end,
                signed_base=_figure(rows, "signed_amount", base),
                funds_end=funds_end,
                funds_base=_figure(rows, "funds_in_place", base),
                ytd_end=_figure(rows, "investment_ytd", window.last, since=year_start),
                ytd_base=_figure(rows, "investment_ytd", base, since=year_start)
                if base >= year_start
                else None,
                is_industrial=bool(snap and snap.is_industrial),
                is_private=bool(snap and snap.is_private),
                key_level=snap.key_level if snap else None,
                build_type=snap.build_type if snap else "new",
                stage=stage,
                total_investment=Decimal(snap.total_investment) if snap else Decimal(0),
                snapshot_source=snap.ce_id if snap else None,
            )
        )
    return facts


async def load_enterprises(
    conn: AsyncConnection, *, window: Window, as_of: datetime | None
) -> dict[str, list[EnterpriseFact]]:
    """新增入规企业 from the newest revision of each unit's monthly return in the window."""
    t = unit_returns
    stmt = _upto(
        select(t).distinct(t.c.unit_code, t.c.month).order_by(t.c.unit_code, t.c.month, t.c.revision.desc()),
        t.c.occurred_at,
        as_of,
    )
    stmt = stmt.where(t.c.month >= window.first, t.c.month <= window.last)
    out: dict[str, list[EnterpriseFact]] = defaultdict(list)
    for r in await conn.execute(stmt):
        for e in r.above_size_enterprises:
            on = date.fromisoformat(e["date"][:10]) if e.get("date") else None
            out[r.unit_code].append(EnterpriseFact(e["name"], on, r.month, r.ce_id))
    return out


async def load_unit_leaders(conn: AsyncConnection, unit_codes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """包联/分管 leaders assigned to each unit (unit-level assignments)."""
    t = leader_assignments
    rows = await conn.execute(
        select(t).where(t.c.unit_code.in_(unit_codes), t.c.project_id.is_(None)).order_by(t.c.assignment_id)
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r.unit_code].append(
            {
                "leader_id": r.leader_id,
                "leader_name": r.leader_name,
                "leader_title": r.leader_title,
                "role": r.role,
                "source_event_id": r.ce_id,
            }
        )
    return out


async def problem_stats(conn: AsyncConnection, *, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Per owner unit: problems raised, open, resolved, major, SLA breaches and escalations."""
    p = problems
    is_open = p.c.status != "resolved"
    stmt = (
        select(
            p.c.owner_unit,
            func.count().label("total"),
            func.count().filter(is_open).label("open"),
            func.count().filter(p.c.status == "resolved").label("resolved"),
            func.count().filter(p.c.severity == "major").label("major"),
            func.count().filter(is_open, p.c.level >= 2).label("open_escalated"),
            func.coalesce(func.sum(p.c.breaches), 0).label("sla_breaches"),
            func.coalesce(func.sum(p.c.escalations), 0).label("escalations"),
        )
        .group_by(p.c.owner_unit)
        .order_by(p.c.owner_unit)
    )
    if unit_code:
        stmt = stmt.where(p.c.owner_unit == unit_code)
    return [dict(r._mapping) for r in await conn.execute(stmt)]
