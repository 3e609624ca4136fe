"""Projections of registry, progress and escalation events (Core SQL, idempotent, replayable).

Every row keeps the `ce_id` of its event and the event's time, and is inserted with
ON CONFLICT DO NOTHING, so a redelivered or replayed event changes nothing. Snapshots are stored
per version and the newest version wins when read (a late, older version never overrides a newer
one); reports are stored per revision, so the original stays visible beside its corrections.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.events import Envelope
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


def money(x: Any) -> Decimal | None:
    """A JSON number in 万元 as an exact Decimal with two places."""
    if x is None:
        return None
    return Decimal(str(x)).quantize(Decimal("0.01"))


def day(x: Any) -> date | None:
    return date.fromisoformat(x[:10]) if x else None


def _when(env: Envelope) -> dict[str, Any]:
    return {"ce_id": env.id, "occurred_at": env.time}


async def on_unit(conn: AsyncConnection, env: Envelope) -> None:
    """unit_registered / unit_updated → one unit fact per event."""
    d = env.data
    await conn.execute(
        insert(unit_facts)
        .values(
            unit_code=d["unit_code"],
            unit_name=d["unit_name"],
            kind=d["kind"],
            parent_code=d.get("parent_code"),
            aliases=list(d.get("aliases") or []),
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


async def on_leader_assigned(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    await conn.execute(
        insert(leader_assignments)
        .values(
            assignment_id=int(d["assignment_id"]),
            leader_id=d["leader_id"],
            leader_name=d["leader_name"],
            leader_title=d.get("leader_title"),
            unit_code=d.get("unit_code"),
            project_id=d.get("project_id"),
            role=d.get("role") or "包联",
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


async def on_target_set(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    await conn.execute(
        insert(target_facts)
        .values(
            target_id=int(d["target_id"]),
            metric=d["metric"],
            period=d["period"],
            scope=d["scope"],
            unit_code=d.get("unit_code"),
            campaign_id=d.get("campaign_id"),
            value=money(d["value"]),
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


async def on_project(conn: AsyncConnection, env: Envelope) -> None:
    """project_registered / project_updated: the full snapshot, keyed by (project, version)."""
    p = env.data["project"]
    await conn.execute(
        insert(project_versions)
        .values(
            project_id=p["project_id"],
            version=int(p["version"]),
            unit_code=p["unit_code"],
            name=p["name"],
            stage=p["stage"],
            build_type=p["build_type"],
            is_industrial=bool(p["is_industrial"]),
            is_private=bool(p["is_private"]),
            key_level=p.get("key_level"),
            total_investment=money(p["total_investment"]),
            annual_plan_investment=money(p["annual_plan_investment"]),
            plan_year=int(p["plan_year"]),
            planned_start=day(p.get("planned_start")),
            signed_amount=money(p.get("signed_amount")),
            funds_in_place=money(p.get("funds_in_place")),
            is_signed_project=bool(p.get("is_signed_project")),
            stats_registered=bool(p.get("stats_registered")),
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


async def on_stage_changed(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    await conn.execute(
        insert(stage_changes)
        .values(
            project_id=d["project_id"],
            unit_code=d["unit_code"],
            from_stage=d["from_stage"],
            to_stage=d["to_stage"],
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


async def on_report(conn: AsyncConnection, env: Envelope) -> None:
    """report_submitted / report_revised: every revision is kept; the newest revision is read."""
    d = env.data
    await conn.execute(
        insert(reports)
        .values(
            report_id=str(d["report_id"]),
            revision=int(d.get("revision") or 1),
            project_id=d["project_id"],
            unit_code=d["unit_code"],
            month=d["month"],
            investment_month=money(d.get("investment_month") or 0),
            investment_ytd=money(d.get("investment_ytd") or 0),
            investment_cumulative=money(d.get("investment_cumulative")),
            construction_status=d.get("construction_status") or "not_started",
            actual_start_date=day(d.get("actual_start_date")),
            stats_registered=bool(d.get("stats_registered")),
            signed_amount=money(d.get("signed_amount")),
            funds_in_place=money(d.get("funds_in_place")),
            reason=d.get("reason"),
            ce_type=env.type,
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


async def on_unit_return(conn: AsyncConnection, env: Envelope) -> None:
    """unit_return_submitted: the unit's 新增入规企业 of a month (R9), every revision kept."""
    d = env.data
    enterprises = [{"name": e["name"], "date": e.get("date")} for e in d.get("above_size_enterprises") or []]
    await conn.execute(
        insert(unit_returns)
        .values(
            unit_code=d["unit_code"],
            month=d["month"],
            revision=int(d.get("revision") or 1),
            above_size_enterprises=enterprises,
            **_when(env),
        )
        .on_conflict_do_nothing()
    )


def _occurred(env: Envelope) -> datetime:
    raw = env.data.get("occurred_at")
    return datetime.fromisoformat(raw) if raw else env.time


async def on_problem(conn: AsyncConnection, env: Envelope) -> None:
    """Every escalation problem event: the problem's latest state plus breach/escalation counts."""
    d = env.data
    when = _occurred(env)
    values = {
        "problem_id": str(d["problem_id"]),
        "project_id": d.get("project_id"),
        "owner_unit": d["owner_unit"],
        "category": d.get("category") or "other",
        "severity": d.get("severity") or "ordinary",
        "level": int(d.get("level") or 1),
        "status": d.get("status") or "raised",
        "last_event_id": env.id,
        "occurred_at": when,
    }
    stmt = insert(problems).values(**values)
    newer = {k: stmt.excluded[k] for k in values if k != "problem_id"}
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[problems.c.problem_id],
            set_=newer,
            where=stmt.excluded.occurred_at >= problems.c.occurred_at,
        )
    )
    name = env.type.split(".")[2] if env.type.count(".") >= 3 else env.type
    if name in ("sla_breached", "problem_escalated"):
        column = problems.c.breaches if name == "sla_breached" else problems.c.escalations
        await conn.execute(
            update(problems)
            .where(problems.c.problem_id == values["problem_id"])
            .values({column.name: column + 1})
        )
