"""Reading the policy versions (考核办法, R9)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.repositories import PolicyRepository
from scoring.domain.periods import month_str
from scoring.service_layer.policies import current_policy, require_policy
from scoring.service_layer.read_models import PolicyOut, PublishedPolicyOut
from scoring.service_layer.unit_of_work import ScoringUnitOfWork


async def list_policies(*, uow: ScoringUnitOfWork, now: datetime) -> list[PublishedPolicyOut]:
    """Every published version, oldest first (the R9 default is stored first if it is not yet)."""
    await current_policy(uow=uow, month=None, now=now)
    return [PublishedPolicyOut.published(p, by, at) for p, by, at in await uow.policies.published()]


async def policy_in_force(*, uow: ScoringUnitOfWork, month: str | None, now: datetime) -> PolicyOut:
    """The version in force for `month` (default: this month)."""
    month = month or month_str(now.year, now.month)
    return PolicyOut.of(await current_policy(uow=uow, month=month, now=now))


async def get_policy(conn: AsyncConnection, version: int) -> PolicyOut:
    return PolicyOut.of(await require_policy(PolicyRepository(conn), version))
