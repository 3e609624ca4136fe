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

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.tables import (
    leader_assignments,
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


@dataclass(frozen=True)
class TargetRow:
    """A target (目标任务) as the registry last set it, with the id of that event."""

    target_id: int
    metric: str
    period: str
    scope: str
    unit_code: str | None
    campaign_id: str | None
    value: Decimal
    ce_id: str


async def load_units(conn: AsyncConnection, *, as_of: datetime | None) -> dict[str, UnitRow]:
    t = unit_facts
    stmt = _upto(
        select(t).distinct(t.c.unit_code).order_by(t.c.unit_code, t.c.occurred_at.desc(), t.c.id.desc()),
        t.c.occurred_at,
        as_of,
    )
    return {r.unit_code: UnitRow(r.unit_code, r.unit_name, r.kind, r.ce_id) for r in await conn.execute(stmt)}


def _latest_targets(as_of: datetime | None) -> Any:
    t = target_facts
    return _upto(
        select(t).distinct(t.c.target_id).order_by(t.c.target_id, t.c.occurred_at.desc(), t.c.id.desc()),
        t.c.occurred_at,
        as_of,
    ).subquery()


async def load_targets(
    conn: AsyncConnection, *, period: str, as_of: datetime | None
) -> dict[tuple[str | None, str], TargetRef]:
    """(unit code or None for the region, metric) → target of `period`; a target without a campaign
    wins over campaign targets of the same period, then the lowest target id."""
    latest = _latest_targets(as_of)
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


async def list_targets(conn: AsyncConnection, *, period: str, as_of: datetime | None) -> list[TargetRow]:
    """Every target of `period`, by metric and unit."""
    latest = _latest_targets(as_of)
    rows = await conn.execute(
        select(latest).where(latest.c.period == period).order_by(latest.c.metric, latest.c.unit_code)
    )
    return [
        TargetRow(r.target_id, r.metric, r.period, r.scope, r.unit_code, r.campaign_id, r.value, r.ce_id)
        for r in rows
    ]


async def target_periods(conn: AsyncConnection, *, year: int, as_of: datetime | None) -> list[str]:
    """The periods of `year` that have targets ("YYYY", "YYYYQn", "YYYYHn", "YYYY-MM")."""
    stmt = select(target_facts.c.period).distinct().where(target_facts.c.period.like(f"{year:04d}%"))
    if as_of is not None:
        stmt = stmt.where(target_facts.c.occurred_at <= as_of)
    return sorted(r[0] for r in await conn.execute(stmt))


async def any_target(conn: AsyncConnection) -> bool:
    return (await conn.execute(select(target_facts.c.id).limit(1))).first() is not None


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


def _end_figure(rows: list[Any], column: str, upto: str, snap: Any) -> Figure | None:
    """The newest reported figure, else the registry snapshot's."""
    figure = _figure(rows, column, upto)
    if figure is None and snap is not None and getattr(snap, column) is not None:
        figure = Figure(Decimal(getattr(snap, column)), snap.ce_id, None)
    return figure


def _stage(snap: Any, change: Any) -> tuple[str, str | None]:
    """The project's stage and its event: a stage change newer than the snapshot wins."""
    stage = snap.stage if snap else "planned"
    stage_source = snap.ce_id if snap else None
    if change is not None and (snap is None or change.occurred_at >= snap.occurred_at):
        stage, stage_source = change.to_stage, change.ce_id
    return stage, stage_source


def _started(latest: Any, stage: str, stage_source: str | None) -> tuple[bool, str | None]:
    """Started by the newest report; by the registry stage while nothing was reported."""
    if latest is not None:
        started = latest.construction_status in STARTED_STATUSES or latest.actual_start_date is not None
        return started, latest.ce_id
    return stage in STARTED_STAGES, stage_source


def _project_fact(pid: str, snap: Any, rows: list[Any], change: Any, window: Window) -> ProjectFact:
    latest = rows[0] if rows else None
    stage, stage_source = _stage(snap, change)
    started, status_source = _started(latest, stage, stage_source)
    signed_end = _end_figure(rows, "signed_amount", window.last, snap)
    funds_end = _end_figure(rows, "funds_in_place", window.last, snap)
    is_signed = bool(snap.is_signed_project) if snap else False
    is_signed = is_signed or bool(signed_end and signed_end.value > 0)
    year_start = window.last[:4] + "-01"
    base = window.base_month
    return ProjectFact(
        project_id=pid,
        name=snap.name if snap else pid,
        unit_code=snap.unit_code if snap else rows[0].unit_code,
        is_signed=is_signed,
        started=started,
        stats_registered=bool(latest.stats_registered) if latest else bool(snap and snap.stats_registered),
        status_source=status_source,
        signed_end=signed_end,
        signed_base=_figure(rows, "signed_amount", base),
        funds_end=funds_end,
        funds_base=_figure(rows, "funds_in_place", base),
        ytd_end=_figure(rows, "investment_ytd", window.last, since=year_start),
        ytd_base=_figure(rows, "investment_ytd", base, since=year_start) if base >= year_start else None,
        is_industrial=bool(snap and snap.is_industrial),
        is_private=bool(snap and snap.is_private),
        key_level=snap.key_level if snap else None,
        build_type=snap.build_type if snap else "new",
        stage=stage,
        total_investment=Decimal(snap.total_investment) if snap else Decimal(0),
        snapshot_source=snap.ce_id if snap else None,
    )


async def _snapshots(conn: AsyncConnection, as_of: datetime | None) -> dict[str, Any]:
    """Each project's highest registry version."""
    pv = project_versions
    stmt = select(pv).distinct(pv.c.project_id).order_by(pv.c.project_id, pv.c.version.desc())
    return {r.project_id: r for r in await conn.execute(_upto(stmt, pv.c.occurred_at, as_of))}


async def _stage_changes(conn: AsyncConnection, as_of: datetime | None) -> dict[str, Any]:
    """Each project's latest stage change."""
    sc = stage_changes
    stmt = (
        select(sc)
        .distinct(sc.c.project_id)
        .order_by(sc.c.project_id, sc.c.occurred_at.desc(), sc.c.id.desc())
    )
    return {r.project_id: r for r in await conn.execute(_upto(stmt, sc.c.occurred_at, as_of))}


async def _reports(conn: AsyncConnection, window: Window, as_of: datetime | None) -> dict[str, list[Any]]:
    """Each project's reports up to the window's last month (newest revision each), newest month first."""
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
    return by_project


async def load_project_facts(
    conn: AsyncConnection, *, window: Window, as_of: datetime | None
) -> list[ProjectFact]:
    """Every project known to the projections, with its figures for `window`."""
    snaps = await _snapshots(conn, as_of)
    stages = await _stage_changes(conn, as_of)
    by_project = await _reports(conn, window, as_of)
    return [
        _project_fact(pid, snaps.get(pid), by_project.get(pid, []), stages.get(pid), window)
        for pid in sorted(set(snaps) | set(by_project))
    ]


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
