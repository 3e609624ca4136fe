"""Scoring policies: the R9 default as version 1, new versions published by the campaign office.

A published version is never changed in place: the table has no update path and the migration
adds a trigger that refuses UPDATE and DELETE on `policies`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import Problem
from diaodu_platform.outbox import Outbox
from scoring.adapters.tables import policies
from scoring.domain.policy import DEFAULT_POLICY, Policy, policy_from_dict, policy_problems, policy_to_dict
from scoring.events import PolicyPublished

SYSTEM = "system (R9 default)"


def _event(p: Policy, by: str, at: datetime) -> PolicyPublished:
    return PolicyPublished(
        policy_version=p.version,
        policy_name=p.name,
        effective_from=p.effective_from,
        published_by=by,
        published_at=at,
        policy=policy_to_dict(p),
    )


async def ensure_default(conn: AsyncConnection, outbox: Outbox, *, now: datetime) -> bool:
    """Store the R9 default as version 1 once (safe with several replicas); True if this call did."""
    body = policy_to_dict(DEFAULT_POLICY)
    row = (
        await conn.execute(
            insert(policies)
            .values(
                version=1,
                name=DEFAULT_POLICY.name,
                effective_from=None,
                body=body,
                published_by=SYSTEM,
                published_at=now,
            )
            .on_conflict_do_nothing()
            .returning(policies.c.version)
        )
    ).first()
    if row is not None:
        await outbox.add(conn, _event(DEFAULT_POLICY, SYSTEM, now))
    return row is not None


async def get_policy(conn: AsyncConnection, version: int) -> Policy | None:
    row = (await conn.execute(select(policies.c.body).where(policies.c.version == version))).first()
    return policy_from_dict(row.body) if row else None


async def require_policy(conn: AsyncConnection, version: int) -> Policy:
    p = await get_policy(conn, version)
    if p is None:
        versions = (
            (await conn.execute(select(policies.c.version).order_by(policies.c.version))).scalars().all()
        )
        raise Problem(
            404,
            "Not found",
            f"scoring policy version {version} does not exist; "
            f"published versions: {', '.join(map(str, versions)) or 'none'}",
            type_="/problems/not-found",
        )
    return p


async def policy_in_force(conn: AsyncConnection, month: str | None) -> Policy | None:
    """The newest stored version in force for `month` (its effective_from not after the month)."""
    stmt = select(policies.c.body).order_by(policies.c.version.desc()).limit(1)
    if month is not None:
        stmt = stmt.where((policies.c.effective_from.is_(None)) | (policies.c.effective_from <= month))
    row = (await conn.execute(stmt)).first()
    return policy_from_dict(row.body) if row else None


async def current_policy(
    conn: AsyncConnection, outbox: Outbox, *, month: str | None, now: datetime
) -> Policy:
    """The version in force for `month`; the R9 default, stored now, when none is stored yet."""
    p = await policy_in_force(conn, month)
    if p is None:
        await ensure_default(conn, outbox, now=now)
        return DEFAULT_POLICY
    return p


async def list_policies(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = await conn.execute(select(policies).order_by(policies.c.version))
    return [{**r.body, "published_by": r.published_by, "published_at": r.published_at} for r in rows]


async def publish_policy(
    conn: AsyncConnection, outbox: Outbox, *, draft: Policy, by: str, now: datetime
) -> Policy:
    """Publish `draft` as the next version (`policy_published`)."""
    problems = policy_problems(draft)
    if problems:
        raise Problem(
            422,
            "Invalid policy",
            f"{len(problems)} field(s) of the policy need correcting",
            type_="/problems/validation",
            errors=[{"field": f, "message": m} for f, m in problems],
        )
    await conn.execute(select(func.pg_advisory_xact_lock(0x5C0_121)))  # serialise version numbering
    latest = (await conn.execute(select(func.max(policies.c.version)))).scalar()
    version = int(latest or 0) + 1
    if version == 1:  # the default always is version 1
        await ensure_default(conn, outbox, now=now)
        version = 2
    p = replace(draft, version=version)
    await conn.execute(
        insert(policies).values(
            version=version,
            name=p.name,
            effective_from=p.effective_from,
            body=policy_to_dict(p),
            published_by=by,
            published_at=now,
        )
    )
    await outbox.add(conn, _event(p, by, now))
    return p
