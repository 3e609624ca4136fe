"""The projection of `diaodu.registry.v1`: units, projects, campaigns and targets (Core SQL).

Each handler is an idempotent upsert, so a replay from the beginning into an empty database gives
the same state: project snapshots apply only when their `version` is newer than the one held;
units and targets only when the event is not older than the row. entrypoints/consumers.py maps the
registry's event names to these handlers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.events import Envelope
from progress.adapters.tables import campaigns, projects, targets, units


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


async def on_unit_registered(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    row = {
        "code": d["unit_code"],
        "name": d["unit_name"],
        "kind": d["kind"],
        "parent_code": d.get("parent_code"),
        "aliases": list(d.get("aliases") or []),
        "updated_at": env.time,
    }
    stmt = insert(units).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[units.c.code],
            set_={k: stmt.excluded[k] for k in row if k != "code"},
            where=units.c.updated_at <= stmt.excluded.updated_at,
        )
    )


on_unit_updated = on_unit_registered


def _project_row(snapshot: dict[str, Any], at: datetime) -> dict[str, Any]:
    s = snapshot
    return {
        "id": s["project_id"],
        "code": s.get("code"),
        "name": s["name"],
        "unit_code": s["unit_code"],
        "stage": s["stage"],
        "build_type": s["build_type"],
        "is_industrial": bool(s.get("is_industrial")),
        "is_private": bool(s.get("is_private")),
        "key_level": s.get("key_level"),
        "total_investment": _money(s.get("total_investment")) or Decimal(0),
        "annual_plan_investment": _money(s.get("annual_plan_investment")) or Decimal(0),
        "plan_year": int(s["plan_year"]),
        "planned_start": _date(s.get("planned_start")),
        "planned_completion": _date(s.get("planned_completion")),
        "is_signed_project": bool(s.get("is_signed_project")),
        "signed_amount": _money(s.get("signed_amount")),
        "funds_in_place": _money(s.get("funds_in_place")),
        "stats_registered": bool(s.get("stats_registered")),
        "stats_registered_on": _date(s.get("stats_registered_on")),
        "procedures": [
            {"item": p["item"], "state": p["state"], "date": p.get("date")} for p in s.get("procedures") or []
        ],
        "campaign_id": s.get("campaign_id"),
        "version": int(s.get("version", 1)),
        "registered_at": at,
        "updated_at": at,
    }


async def on_project_snapshot(conn: AsyncConnection, env: Envelope) -> None:
    """project_registered / project_updated: apply the snapshot if it is newer than the one held."""
    row = _project_row(env.data["project"], env.time)
    stmt = insert(projects).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[projects.c.id],
            set_={k: stmt.excluded[k] for k in row if k not in ("id", "registered_at")},
            where=projects.c.version < stmt.excluded.version,
        )
    )


async def on_project_registered(conn: AsyncConnection, env: Envelope) -> None:
    """The registration time counts even when an update was delivered first (it starts R5 duties)."""
    await on_project_snapshot(conn, env)
    await conn.execute(
        update(projects)
        .where(projects.c.id == env.data["project_id"], projects.c.registered_at > env.time)
        .values(registered_at=env.time)
    )


async def on_project_stage_changed(conn: AsyncConnection, env: Envelope) -> None:
    """A stage change bumps the registry's version by one, as it does here; a stale one changes nothing."""
    d = env.data
    await conn.execute(
        update(projects)
        .where(projects.c.id == d["project_id"], projects.c.stage == d["from_stage"])
        .values(stage=d["to_stage"], version=projects.c.version + 1, updated_at=env.time)
    )


async def on_campaign_created(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    row = {
        "id": d["campaign_id"],
        "name": d["campaign_name"],
        "start_date": _date(d["start_date"]),
        "end_date": _date(d["end_date"]),
    }
    stmt = insert(campaigns).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[campaigns.c.id], set_={k: stmt.excluded[k] for k in row if k != "id"}
        )
    )


async def on_target_set(conn: AsyncConnection, env: Envelope) -> None:
    d = env.data
    row = {
        "id": int(d["target_id"]),
        "metric": d["metric"],
        "period": d["period"],
        "scope": d["scope"],
        "unit_code": d.get("unit_code"),
        "campaign_id": d.get("campaign_id"),
        "value": _money(d["value"]),
        "updated_at": env.time,
    }
    stmt = insert(targets).values(row)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[targets.c.id],
            set_={k: stmt.excluded[k] for k in row if k != "id"},
            where=targets.c.updated_at <= stmt.excluded.updated_at,
        )
    )
