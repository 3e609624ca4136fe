"""Scoring policies (考核办法, R9): the default as version 1, new versions published by the office.

A published version is never changed in place: the repository has no update path and the migration
adds a trigger that refuses UPDATE and DELETE on `policies`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from diaodu_platform.errors import Problem
from scoring.adapters.repositories import PolicyRepository
from scoring.domain.policy import DEFAULT_POLICY, Policy, policy_problems, policy_to_dict
from scoring.events import PolicyPublished
from scoring.service_layer.commands import PublishPolicy
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

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


async def ensure_default(*, uow: ScoringUnitOfWork, now: datetime) -> bool:
    """Store the R9 default as version 1 once (safe with several replicas); True if this call did."""
    stored = await uow.policies.add(DEFAULT_POLICY, by=SYSTEM, now=now, if_absent=True)
    if stored:
        uow.emit(_event(DEFAULT_POLICY, SYSTEM, now))
    return stored


async def require_policy(policies: PolicyRepository, version: int) -> Policy:
    """A published version, or 404 naming the published ones."""
    p = await policies.get(version)
    if p is None:
        versions = await policies.versions()
        raise Problem(
            404,
            "Not found",
            f"scoring policy version {version} does not exist; "
            f"published versions: {', '.join(map(str, versions)) or 'none'}",
            type_="/problems/not-found",
        )
    return p


async def current_policy(*, uow: ScoringUnitOfWork, month: str | None, now: datetime) -> Policy:
    """The version in force for `month`; the R9 default, stored now, when none is stored yet."""
    p = await uow.policies.in_force(month)
    if p is None:
        await ensure_default(uow=uow, now=now)
        return DEFAULT_POLICY
    return p


async def publish_policy(*, uow: ScoringUnitOfWork, cmd: PublishPolicy, by: str, now: datetime) -> Policy:
    """Publish the draft as the next policy version (R9: versioned data); 422 names each field to fix."""
    problems = policy_problems(cmd.draft)
    if problems:
        raise Problem(
            422,
            "Invalid policy",
            f"{len(problems)} field(s) of the policy need correcting",
            type_="/problems/validation",
            errors=[{"field": f, "message": m} for f, m in problems],
        )
    await uow.policies.lock_numbering()
    version = await uow.policies.latest_version() + 1
    if version == 1:  # the default always is version 1
        await ensure_default(uow=uow, now=now)
        version = 2
    p = replace(cmd.draft, version=version)
    await uow.policies.add(p, by=by, now=now)
    uow.emit(_event(p, by, now))
    return p
