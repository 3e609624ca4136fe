"""Explaining and recomputing a published ranking line by line (R9)."""

from __future__ import annotations

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from scoring.entrypoints.deps import json_router
from scoring.service_layer.explanations import explain, recomputation
from scoring.service_layer.queries.rankings import ranking_of_month
from scoring.service_layer.read_models import ExplanationOut, RecomputeOut

router = json_router()


@router.get("/rankings/{month}/explanation", tags=["rankings"])
async def explain_ranking(
    month: str,
    _: CurrentPrincipal,
    conn: Conn,
    unit_code: str | None = None,
    policy_version: int | None = None,
) -> ExplanationOut:
    """Every indicator of every unit (or one unit) with its inputs, their source event ids and the
    policy version."""
    return explain(await ranking_of_month(conn, month, policy_version), unit_code)


@router.get("/rankings/{month}/recompute", tags=["rankings"])
async def recompute_ranking(
    month: str, _: CurrentPrincipal, conn: Conn, policy_version: int | None = None
) -> RecomputeOut:
    """Recompute a published ranking from its stored policy and inputs alone; publishes nothing."""
    return recomputation(await ranking_of_month(conn, month, policy_version))
