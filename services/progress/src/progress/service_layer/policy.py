"""The progress policy (R2–R5 numbers) is data the campaign office replaces; every change is versioned."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.auth import Principal
from diaodu_platform.errors import Problem
from progress.domain.policy import policy_from_data
from progress.service_layer.commands import ReplacePolicy
from progress.service_layer.queries.policy import policy_out
from progress.service_layer.read_models import PolicyOut
from progress.service_layer.unit_of_work import ProgressUnitOfWork


async def replace_policy(
    *, uow: ProgressUnitOfWork, cmd: ReplacePolicy, now: datetime, principal: Principal
) -> PolicyOut:
    """Replace the policy (due day, reminder, schedule curve, thresholds, flag factors; R2–R5)."""
    try:
        policy = policy_from_data(dict(cmd.data))
    except ValueError as exc:
        raise Problem(
            422,
            "Invalid policy",
            str(exc),
            type_="/problems/validation",
            errors=[{"field": "policy", "message": str(exc)}],
        ) from exc
    version = await uow.policy.save(policy, by=principal.sub, at=now)
    return policy_out(policy, version)
