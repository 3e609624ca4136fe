"""The scoring service's repositories, each over the unit of work's connection (SQLAlchemy Core).

- `PolicyRepository`: the published policy versions (never changed in place: the migration's
  trigger refuses UPDATE and DELETE on `policies`).
- `RankingRepository`: published rankings with their scorecards, stored inputs and 约谈 (R9); one
  ranking per (month, policy version), guarded by a unique constraint.
- `MilestoneRepository`: quarter-end checks (R10), one per (unit or region, quarter, metric).
- `FactRepository`: the projections of other services' events, read as domain facts (adapters.facts).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters import facts
from scoring.adapters.tables import (
    interviews,
    milestone_checks,
    milestone_runs,
    policies,
    rankings,
    scorecards,
)
from scoring.domain.indicators import EnterpriseFact, ProjectFact, TargetRef
from scoring.domain.periods import Window
from scoring.domain.policy import Policy, policy_from_dict, policy_to_dict
from scoring.domain.ranking import PublishedRanking
from scoring.domain.scoring import (
    scorecard_from_dict,
    scorecard_to_dict,
    unit_input_from_dict,
    unit_input_to_dict,
)

# Serialises the numbering of new policy versions (pg_advisory_xact_lock).
POLICY_NUMBERING_LOCK = 0x5C0_121


class PolicyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, version: int) -> Policy | None:
        row = (await self.conn.execute(select(policies.c.body).where(policies.c.version == version))).first()
        return policy_from_dict(row.body) if row else None

    async def versions(self) -> list[int]:
        stmt = select(policies.c.version).order_by(policies.c.version)
        return list((await self.conn.execute(stmt)).scalars().all())

    async def in_force(self, month: str | None) -> Policy | None:
        """The newest stored version in force for `month` (its effective_from not after the month)."""
        stmt = select(policies.c.body).order_by(policies.c.version.desc()).limit(1)
        if month is not None:
            stmt = stmt.where((policies.c.effective_from.is_(None)) | (policies.c.effective_from <= month))
        row = (await self.conn.execute(stmt)).first()
        return policy_from_dict(row.body) if row else None

    async def lock_numbering(self) -> None:
        """Hold the version-numbering lock until the transaction ends."""
        await self.conn.execute(select(func.pg_advisory_xact_lock(POLICY_NUMBERING_LOCK)))

    async def latest_version(self) -> int:
        return int((await self.conn.execute(select(func.max(policies.c.version)))).scalar() or 0)

    async def add(self, policy: Policy, *, by: str, now: datetime, if_absent: bool = False) -> bool:
        """Store a version; with `if_absent`, False (and nothing written) when it is stored already."""
        stmt = insert(policies).values(
            version=policy.version,
            name=policy.name,
            effective_from=policy.effective_from,
            body=policy_to_dict(policy),
            published_by=by,
            published_at=now,
        )
        if not if_absent:
            await self.conn.execute(stmt)
            return True
        stored = stmt.on_conflict_do_nothing().returning(policies.c.version)
        return (await self.conn.execute(stored)).first() is not None

    async def published(self) -> list[tuple[Policy, str, datetime]]:
        """Every version with who published it and when, oldest first."""
        rows = await self.conn.execute(select(policies).order_by(policies.c.version))
        return [(policy_from_dict(r.body), r.published_by, r.published_at) for r in rows]


class RankingRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(
        self, *, month: str, policy: Policy, trigger: str, by: str, now: datetime, order: list[dict[str, Any]]
    ) -> int | None:
        """Store the ranking's header; None when (month, policy version) is published already."""
        stmt = (
            insert(rankings)
            .values(
                month=month,
                policy_version=policy.version,
                trigger=trigger,
                published_by=by,
                published_at=now,
                data_as_of=now,
                policy=policy_to_dict(policy),
                ranking=order,
            )
            .on_conflict_do_nothing()
            .returning(rankings.c.id)
        )
        ranking_id: int | None = (await self.conn.execute(stmt)).scalar()
        return ranking_id

    async def add_details(self, ranking: PublishedRanking) -> None:
        """Every unit's scorecard with the inputs it used, and the 约谈 with the units' leaders."""
        await self.conn.execute(
            insert(scorecards),
            [
                {
                    "ranking_id": ranking.id,
                    "unit_code": c.unit_code,
                    "month": ranking.month,
                    "rank": c.rank,
                    "total_score": c.total,
                    "scorecard": scorecard_to_dict(c),
                    "inputs": unit_input_to_dict(ranking.inputs[c.unit_code]),
                }
                for c in ranking.cards
            ],
        )
        ranks = {c.unit_code: c.rank for c in ranking.cards}
        if ranking.interviews:
            await self.conn.execute(
                insert(interviews),
                [
                    {
                        "ranking_id": ranking.id,
                        "unit_code": code,
                        "month": ranking.month,
                        "rank": ranks[code],
                        "leaders": leaders,
                    }
                    for code, leaders in ranking.interviews.items()
                ],
            )

    async def get(self, *, month: str, policy_version: int | None = None) -> PublishedRanking | None:
        """A published ranking of `month` (the latest published one unless a policy version is given)."""
        stmt = select(rankings).where(rankings.c.month == month).order_by(rankings.c.id.desc()).limit(1)
        if policy_version is not None:
            stmt = stmt.where(rankings.c.policy_version == policy_version)
        return await self._stored((await self.conn.execute(stmt)).first())

    async def get_by_id(self, ranking_id: int) -> PublishedRanking | None:
        stmt = select(rankings).where(rankings.c.id == ranking_id)
        return await self._stored((await self.conn.execute(stmt)).first())

    async def latest(self) -> PublishedRanking | None:
        """The ranking of the latest assessed month (the latest published one of that month)."""
        stmt = select(rankings).order_by(rankings.c.month.desc(), rankings.c.id.desc()).limit(1)
        return await self._stored((await self.conn.execute(stmt)).first())

    async def any_for_month(self, month: str) -> bool:
        stmt = select(rankings.c.id).where(rankings.c.month == month).limit(1)
        return (await self.conn.execute(stmt)).first() is not None

    async def last_published_at(self) -> datetime | None:
        last: datetime | None = (await self.conn.execute(select(func.max(rankings.c.published_at)))).scalar()
        return last

    async def _stored(self, r: Row[Any] | None) -> PublishedRanking | None:
        if r is None:
            return None
        rows = (
            await self.conn.execute(
                select(scorecards).where(scorecards.c.ranking_id == r.id).order_by(scorecards.c.rank)
            )
        ).all()
        summoned = {
            x.unit_code: list(x.leaders)
            for x in await self.conn.execute(select(interviews).where(interviews.c.ranking_id == r.id))
        }
        return PublishedRanking(
            r.id,
            r.month,
            policy_from_dict(r.policy),
            r.trigger,
            r.published_by,
            r.published_at,
            r.data_as_of,
            [scorecard_from_dict(x.scorecard) for x in rows],
            {x.unit_code: unit_input_from_dict(x.inputs) for x in rows},
            summoned,
        )


class MilestoneRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(self, *, period: str, now: datetime) -> bool:
        """True the first time a quarter's scheduled check is claimed (any replica)."""
        stmt = (
            insert(milestone_runs)
            .values(period=period, ran_at=now)
            .on_conflict_do_nothing()
            .returning(milestone_runs.c.period)
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def record(
        self,
        *,
        scope_key: str,
        period: str,
        metric: str,
        missed: bool,
        annual_target: Decimal,
        expected_share: Decimal,
        actual: Decimal,
        policy_version: int,
        now: datetime,
    ) -> bool:
        """Store one check; False when (unit or region, quarter, metric) was checked before."""
        stmt = (
            insert(milestone_checks)
            .values(
                scope_key=scope_key,
                period=period,
                metric=metric,
                missed=missed,
                annual_target=annual_target,
                expected_share=expected_share,
                actual=actual,
                policy_version=policy_version,
                checked_at=now,
            )
            .on_conflict_do_nothing()
            .returning(milestone_checks.c.scope_key)
        )
        return (await self.conn.execute(stmt)).first() is not None


class FactRepository:
    """The projected facts of registry, progress and escalation events, as of a time (None: all)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def units(self, *, as_of: datetime | None) -> dict[str, facts.UnitRow]:
        return await facts.load_units(self.conn, as_of=as_of)

    async def targets(
        self, *, period: str, as_of: datetime | None
    ) -> dict[tuple[str | None, str], TargetRef]:
        return await facts.load_targets(self.conn, period=period, as_of=as_of)

    async def target_rows(self, *, period: str, as_of: datetime | None) -> list[facts.TargetRow]:
        return await facts.list_targets(self.conn, period=period, as_of=as_of)

    async def target_periods(self, *, year: int, as_of: datetime | None) -> list[str]:
        return await facts.target_periods(self.conn, year=year, as_of=as_of)

    async def any_target(self) -> bool:
        return await facts.any_target(self.conn)

    async def projects(self, *, window: Window, as_of: datetime | None) -> list[ProjectFact]:
        return await facts.load_project_facts(self.conn, window=window, as_of=as_of)

    async def enterprises(self, *, window: Window, as_of: datetime | None) -> dict[str, list[EnterpriseFact]]:
        return await facts.load_enterprises(self.conn, window=window, as_of=as_of)

    async def unit_leaders(self, unit_codes: list[str]) -> dict[str, list[dict[str, Any]]]:
        return await facts.load_unit_leaders(self.conn, unit_codes)
