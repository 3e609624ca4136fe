"""In-memory fakes of the scoring unit of work and its repositories (same methods as the SQL ones).

A unit of work that fails puts every repository back as it was when it began, as the database's
rollback would; the projected facts are what a test gives the `FactRepository` fake.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from diaodu_testkit.fakes import FakeUnitOfWork
from scoring.adapters.facts import TargetRow, UnitRow
from scoring.domain.indicators import EnterpriseFact, ProjectFact, TargetRef
from scoring.domain.periods import Window
from scoring.domain.policy import Policy
from scoring.domain.ranking import PublishedRanking


class FakePolicyRepository:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[Policy, str, datetime]] = {}

    async def get(self, version: int) -> Policy | None:
        row = self.rows.get(version)
        return row[0] if row else None

    async def versions(self) -> list[int]:
        return sorted(self.rows)

    async def in_force(self, month: str | None) -> Policy | None:
        candidates = [
            p
            for p, _, _ in self.rows.values()
            if month is None or p.effective_from is None or p.effective_from <= month
        ]
        return max(candidates, key=lambda p: p.version, default=None)

    async def lock_numbering(self) -> None:
        pass

    async def latest_version(self) -> int:
        return max(self.rows, default=0)

    async def add(self, policy: Policy, *, by: str, now: datetime, if_absent: bool = False) -> bool:
        if policy.version in self.rows:
            if if_absent:
                return False
            raise ValueError(f"policy version {policy.version} is stored already (primary key)")
        self.rows[policy.version] = (policy, by, now)
        return True

    async def published(self) -> list[tuple[Policy, str, datetime]]:
        return [self.rows[v] for v in sorted(self.rows)]


class FakeRankingRepository:
    def __init__(self) -> None:
        self.claimed: dict[tuple[str, int], int] = {}  # (month, policy version) → ranking id
        self.orders: dict[int, list[dict[str, Any]]] = {}
        self.rows: dict[int, PublishedRanking] = {}

    async def claim(
        self, *, month: str, policy: Policy, trigger: str, by: str, now: datetime, order: list[dict[str, Any]]
    ) -> int | None:
        if (month, policy.version) in self.claimed:
            return None
        ranking_id = len(self.claimed) + 1
        self.claimed[(month, policy.version)] = ranking_id
        self.orders[ranking_id] = order
        return ranking_id

    async def add_details(self, ranking: PublishedRanking) -> None:
        self.rows[ranking.id] = ranking

    async def get(self, *, month: str, policy_version: int | None = None) -> PublishedRanking | None:
        found = [
            r
            for r in self.rows.values()
            if r.month == month and (policy_version is None or r.policy.version == policy_version)
        ]
        return max(found, key=lambda r: r.id, default=None)

    async def get_by_id(self, ranking_id: int) -> PublishedRanking | None:
        return self.rows.get(ranking_id)

    async def latest(self) -> PublishedRanking | None:
        return max(self.rows.values(), key=lambda r: (r.month, r.id), default=None)

    async def any_for_month(self, month: str) -> bool:
        return any(m == month for m, _ in self.claimed)

    async def last_published_at(self) -> datetime | None:
        return max((r.published_at for r in self.rows.values()), default=None)


class FakeMilestoneRepository:
    def __init__(self) -> None:
        self.claimed: set[str] = set()
        self.checks: dict[tuple[str, str, str], dict[str, Any]] = {}

    async def claim(self, *, period: str, now: datetime) -> bool:
        if period in self.claimed:
            return False
        self.claimed.add(period)
        return True

    async def record(self, *, scope_key: str, period: str, metric: str, **check: Any) -> bool:
        if (scope_key, period, metric) in self.checks:
            return False
        self.checks[(scope_key, period, metric)] = check
        return True


class FakeFactRepository:
    """The projections as a test states them; `as_of` is not modelled (every fact counts)."""

    def __init__(self) -> None:
        self.unit_rows: dict[str, UnitRow] = {}
        self.target_refs: dict[str, dict[tuple[str | None, str], TargetRef]] = defaultdict(dict)
        self.project_facts: list[ProjectFact] = []
        self.enterprise_facts: dict[str, list[EnterpriseFact]] = defaultdict(list)
        self.leaders: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add_unit(self, code: str, name: str, kind: str = "township") -> None:
        self.unit_rows[code] = UnitRow(code, name, kind, f"ev-unit-{code}")

    def add_target(
        self, unit_code: str | None, metric: str, value: Decimal | int, period: str = "2024"
    ) -> None:
        n = sum(len(t) for t in self.target_refs.values()) + 1
        ref = TargetRef(metric, period, Decimal(value), f"ev-target-{unit_code or 'region'}-{metric}", n)
        self.target_refs[period][(unit_code, metric)] = ref

    def add_leader(self, unit_code: str, leader_id: str, name: str) -> None:
        self.leaders[unit_code].append(
            {
                "leader_id": leader_id,
                "leader_name": name,
                "leader_title": "副县长",
                "role": "包联",
                "source_event_id": f"ev-leader-{leader_id}",
            }
        )

    async def units(self, *, as_of: datetime | None) -> dict[str, UnitRow]:
        return dict(self.unit_rows)

    async def targets(
        self, *, period: str, as_of: datetime | None
    ) -> dict[tuple[str | None, str], TargetRef]:
        return dict(self.target_refs.get(period, {}))

    async def target_rows(self, *, period: str, as_of: datetime | None) -> list[TargetRow]:
        rows = [
            TargetRow(
                t.target_id,
                metric,
                period,
                "unit" if unit else "region",
                unit,
                None,
                t.value,
                t.source_event_id,
            )
            for (unit, metric), t in self.target_refs.get(period, {}).items()
        ]
        return sorted(rows, key=lambda r: (r.metric, r.unit_code or ""))

    async def target_periods(self, *, year: int, as_of: datetime | None) -> list[str]:
        return sorted(p for p, refs in self.target_refs.items() if refs and p.startswith(f"{year:04d}"))

    async def any_target(self) -> bool:
        return any(self.target_refs.values())

    async def projects(self, *, window: Window, as_of: datetime | None) -> list[ProjectFact]:
        return list(self.project_facts)

    async def enterprises(self, *, window: Window, as_of: datetime | None) -> dict[str, list[EnterpriseFact]]:
        return {
            unit: [e for e in es if window.first <= e.month <= window.last]
            for unit, es in self.enterprise_facts.items()
        }

    async def unit_leaders(self, unit_codes: list[str]) -> dict[str, list[dict[str, Any]]]:
        return {code: list(self.leaders[code]) for code in unit_codes if self.leaders.get(code)}


class FakeScoringUnitOfWork(FakeUnitOfWork):
    """The scoring unit of work in memory: committed events in `published`, state in the fakes."""

    def __init__(self) -> None:
        super().__init__()
        self.policies = FakePolicyRepository()
        self.rankings = FakeRankingRepository()
        self.milestones = FakeMilestoneRepository()
        self.facts = FakeFactRepository()
        self._saved: dict[str, Any] = {}

    async def _begin(self) -> None:
        await super()._begin()
        self._saved = {
            name: copy.deepcopy(getattr(self, name).__dict__)
            for name in ("policies", "rankings", "milestones")
        }

    async def _rollback(self) -> None:
        await super()._rollback()
        for name, state in self._saved.items():
            getattr(self, name).__dict__.update(state)
