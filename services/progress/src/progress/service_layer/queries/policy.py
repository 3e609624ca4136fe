"""The policy in force (R2–R5 numbers) and its version."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from progress.adapters.repositories import load_policy
from progress.domain.policy import Policy, policy_to_data
from progress.service_layer.read_models import PolicyOut


def policy_out(policy: Policy, version: int) -> PolicyOut:
    return PolicyOut(**policy_to_data(policy), version=version)


async def policy_in_force(*, conn: AsyncConnection) -> Policy:
    """The numbers the read views apply (the defaults until a policy is stored)."""
    policy, _version = await load_policy(conn)
    return policy


async def get_policy(*, conn: AsyncConnection) -> PolicyOut:
    policy, version = await load_policy(conn)
    return policy_out(policy, version)
