"""What-if: a month under another policy, other weights or older data; nothing is published."""

from __future__ import annotations

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.http import Now
from scoring.entrypoints.deps import NewUow, json_router
from scoring.entrypoints.schemas import WhatIfIn
from scoring.service_layer.read_models import WhatIfOut
from scoring.service_layer.whatif import what_if as compute

router = json_router()


@router.post("/what-if", tags=["rankings"])
async def what_if(body: WhatIfIn, _: CurrentPrincipal, new_uow: NewUow, now: Now) -> WhatIfOut:
    """Recompute a month under another policy version, other weights or the data as of another date,
    and show the rank differences; nothing is stored or published."""
    async with new_uow() as uow:
        return await compute(uow=uow, cmd=body.to_command(), now=now)
