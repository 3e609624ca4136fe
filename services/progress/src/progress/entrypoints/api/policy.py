"""The policy: the configurable numbers of R2–R5."""

from __future__ import annotations

from fastapi import APIRouter

from diaodu_platform.auth import Admin, CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from progress.entrypoints.deps import ProgressUow
from progress.service_layer import policy as handlers
from progress.service_layer.commands import ReplacePolicy
from progress.service_layer.queries import policy as queries
from progress.service_layer.read_models import PolicyBody, PolicyOut

router = APIRouter()


@router.get("/policy", response_model=PolicyOut, tags=["policy"])
async def get_policy(conn: Conn, _: CurrentPrincipal) -> PolicyOut:
    return await queries.get_policy(conn=conn)


@router.put("/policy", response_model=PolicyOut, tags=["policy"])
async def put_policy(body: PolicyBody, principal: Admin, new_uow: ProgressUow, now: Now) -> PolicyOut:
    """Replace the policy (due day, reminder, schedule curve, light thresholds, flag factors)."""
    async with new_uow() as uow:
        return await handlers.replace_policy(
            uow=uow, cmd=ReplacePolicy(body.model_dump(mode="json")), now=now, principal=principal
        )
