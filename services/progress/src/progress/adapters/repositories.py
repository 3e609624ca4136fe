"""The repositories of the progress service over its tables, used through ProgressUnitOfWork.

The report hot path has its own (adapters/report_store.py); these serve the other commands and jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert as sql_insert
from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from progress.adapters.tables import anomalies, deadline_facts, light_states, policy_rows, unit_returns
from progress.domain.model import REPORTING_STAGES, AnomalyStatus, Month
from progress.domain.policy import Policy, policy_from_data, policy_to_data

POLICY_ID = 1
# The SQL form of domain.deadlines.is_required (for a project row `p` and a :deadline).
_STAGES = ", ".join(repr(s.value) for s in sorted(REPORTING_STAGES))
REQUIRED_SQL = f"p.stage IN ({_STAGES}) AND p.registered_at < :deadline"


class AlreadyWritten(Exception):
    """A concurrent writer stored the same row first (its unique key)."""


async def load_policy(conn: AsyncConnection) -> tuple[Policy, int]:
    """The policy in force and its version (0 = the defaults, never changed)."""
    row = (
        await conn.execute(
            select(policy_rows.c.data, policy_rows.c.version).where(policy_rows.c.id == POLICY_ID)
        )
    ).first()
    return (policy_from_data(row.data), row.version) if row else (Policy(), 0)


class PolicyRepository:
    """The one versioned policy row (R2–R5 numbers)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self) -> tuple[Policy, int]:
        return await load_policy(self.conn)

    async def save(self, policy: Policy, *, by: str, at: datetime) -> int:
        """Replace the policy; returns its new version."""
        data = policy_to_data(policy)
        base = insert(policy_rows).values(id=POLICY_ID, version=1, data=data, updated_by=by, updated_at=at)
        stmt = base.on_conflict_do_update(
            index_elements=[policy_rows.c.id],
            set_={"version": policy_rows.c.version + 1, "data": data, "updated_by": by, "updated_at": at},
        ).returning(policy_rows.c.version)
        return int((await self.conn.execute(stmt)).scalar_one())


@dataclass(frozen=True)
class AnomalyRecord:
    """A flagged figure (R4) and its review, as stored."""

    id: str
    report_id: str
    revision: int
    project_id: str
    unit_code: str
    month: str
    rule: str
    detail: str
    figures: dict[str, Any]
    status: str
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_at: datetime


class AnomalyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def review(
        self, anomaly_id: str, *, status: AnomalyStatus, note: str | None, by: str, at: datetime
    ) -> AnomalyRecord | None:
        """Record the review of an open anomaly; None when it is not open (or does not exist)."""
        row = (
            await self.conn.execute(
                update(anomalies)
                .where(anomalies.c.id == anomaly_id, anomalies.c.status == AnomalyStatus.OPEN.value)
                .values(status=status.value, review_note=note, reviewed_by=by, reviewed_at=at)
                .returning(*anomalies.c)
            )
        ).first()
        return None if row is None else AnomalyRecord(**row._mapping)

    async def status_of(self, anomaly_id: str) -> str | None:
        status = (
            await self.conn.execute(select(anomalies.c.status).where(anomalies.c.id == anomaly_id))
        ).scalar()
        return None if status is None else str(status)


@dataclass(frozen=True)
class UnitReturnContext:
    """Whether the unit is registered, its latest return of the month (0: none) and the policy."""

    known: bool
    revision: int
    policy: Policy


_RETURN_CONTEXT = text("""
SELECT EXISTS (SELECT 1 FROM units WHERE code = :unit_code) AS known,
       (SELECT max(revision) FROM unit_returns WHERE unit_code = :unit_code AND month = :month) AS revision,
       (SELECT data FROM progress_policy WHERE id = 1) AS policy
""")


class UnitReturnRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def context(self, unit_code: str, month: Month) -> UnitReturnContext:
        """Everything a unit return needs, in one round trip."""
        row = (await self.conn.execute(_RETURN_CONTEXT, {"unit_code": unit_code, "month": str(month)})).one()
        return UnitReturnContext(bool(row.known), int(row.revision or 0), policy_from_data(row.policy))

    async def add(self, row: dict[str, Any]) -> None:
        try:
            await self.conn.execute(sql_insert(unit_returns), row)
        except IntegrityError as exc:
            raise AlreadyWritten from exc


_MISSING_PROJECTS = text(f"""
SELECT p.id, p.unit_code FROM projects p
WHERE {REQUIRED_SQL}
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.project_id = p.id AND r.month = :month)
ORDER BY p.unit_code, p.id
""")


class DeadlineFacts:
    """What the deadline job emitted, under a unique (kind, month, subject) key (R5)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def missing(self, month: Month, deadline: datetime) -> list[tuple[str, str]]:
        """(project id, unit code) of every project that owes `month`'s report and has not sent it."""
        rows = await self.conn.execute(_MISSING_PROJECTS, {"deadline": deadline, "month": str(month)})
        return [(r.id, r.unit_code) for r in rows]

    async def record(self, kind: str, month: Month, facts: list[tuple[str, str]], at: datetime) -> set[str]:
        """Insert (subject, unit) facts; return the subjects that were not recorded before."""
        if not facts:
            return set()
        stmt = (
            insert(deadline_facts)
            .values(
                [
                    {
                        "kind": kind,
                        "month": str(month),
                        "subject": subject,
                        "unit_code": unit,
                        "emitted_at": at,
                    }
                    for subject, unit in facts
                ]
            )
            .on_conflict_do_nothing()
            .returning(deadline_facts.c.subject)
        )
        return {r.subject for r in await self.conn.execute(stmt)}


class LightStates:
    """The last light of each (scope, subject, kind), so light_changed is emitted only on a change."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def current(self) -> dict[tuple[str, str, str], str]:
        c = light_states.c
        return {
            (r.scope, r.subject, r.kind): r.light
            for r in await self.conn.execute(select(c.scope, c.subject, c.kind, c.light))
        }

    async def save(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        stmt = insert(light_states)
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[light_states.c.scope, light_states.c.subject, light_states.c.kind],
                set_={
                    k: stmt.excluded[k]
                    for k in ("unit_code", "month", "light", "gap_points", "reason", "updated_at")
                },
            ),
            rows,
        )
