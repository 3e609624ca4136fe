"""The progress policy as data: read with the defaults of SPEC R2–R5, replaced by the campaign office."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from progress.adapters.tables import policy_rows
from progress.domain.policy import Policy, ScheduleCurve

POLICY_ID = 1
_DECIMALS = {"yellow_from_points", "red_above_points", "outlier_factor", "pre_scoring_jump_factor"}


def policy_from_data(data: dict[str, Any] | None) -> Policy:
    """A Policy from its stored JSON; absent keys keep their defaults."""
    if not data:
        return Policy()
    known = {f.name for f in dataclasses.fields(Policy)}
    kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
    for k in _DECIMALS & kwargs.keys():
        kwargs[k] = Decimal(str(kwargs[k]))
    if "milestones" in kwargs:
        kwargs["milestones"] = tuple(Decimal(str(x)) for x in kwargs["milestones"])
    if "schedule_curve" in kwargs:
        kwargs["schedule_curve"] = ScheduleCurve(kwargs["schedule_curve"])
    return Policy(**kwargs)


def policy_to_data(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(policy):
        value = getattr(policy, f.name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = [str(x) for x in value]
        elif isinstance(value, ScheduleCurve):
            value = value.value
        out[f.name] = value
    return out


async def load_policy(conn: AsyncConnection) -> tuple[Policy, int]:
    """The policy in force and its version (0 = the defaults, never changed)."""
    row = (
        await conn.execute(
            select(policy_rows.c.data, policy_rows.c.version).where(policy_rows.c.id == POLICY_ID)
        )
    ).first()
    return (policy_from_data(row.data), row.version) if row else (Policy(), 0)


async def save_policy(conn: AsyncConnection, *, policy: Policy, by: str, at: datetime) -> int:
    """Replace the policy; returns its new version."""
    data = policy_to_data(policy)
    base = insert(policy_rows).values(id=POLICY_ID, version=1, data=data, updated_by=by, updated_at=at)
    stmt = base.on_conflict_do_update(
        index_elements=[policy_rows.c.id],
        set_={"version": policy_rows.c.version + 1, "data": data, "updated_by": by, "updated_at": at},
    ).returning(policy_rows.c.version)
    return int((await conn.execute(stmt)).scalar_one())
