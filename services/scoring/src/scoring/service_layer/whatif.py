"""What-if: a past month under another policy version, other weights, or the data as of another
date — computed, compared with the published ranking, and never published."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.errors import Problem
from diaodu_platform.outbox import Outbox
from scoring.domain.policy import policy_problems, policy_to_dict
from scoring.domain.scoring import rank_units
from scoring.domain.whatif import rank_diff
from scoring.service_layer import assessment, policies


async def what_if(
    conn: AsyncConnection,
    outbox: Outbox,
    *,
    month: str,
    policy_version: int | None,
    weights: Mapping[str, Decimal] | None,
    as_of: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """Rank `month` under the alternative and list every unit's rank before and after."""
    published = await assessment.load_ranking(conn, month=month)
    if published is not None:
        base_policy, base_cards = published.policy, published.cards
        baseline = {
            "source": f"published ranking {published.id}",
            "ranking_id": published.id,
            "policy_version": published.policy.version,
        }
    else:
        base_policy = await policies.current_policy(conn, outbox, month=month, now=now)
        inputs = await assessment.gather_inputs(conn, policy=base_policy, month=month, as_of=None)
        base_cards = rank_units(base_policy, inputs)
        baseline = {
            "source": "not published: computed now from the projections",
            "ranking_id": None,
            "policy_version": base_policy.version,
        }
    alt = await policies.require_policy(conn, policy_version) if policy_version else base_policy
    if weights:
        unknown = sorted(set(weights) - {i.code for i in alt.indicators})
        if unknown:
            raise Problem(
                422,
                "Invalid request",
                f"weights for indicators the policy does not score: {unknown}",
                type_="/problems/validation",
                errors=[
                    {
                        "field": f"weights.{k}",
                        "message": "not an indicator of the policy",
                        "allowed": [i.code for i in alt.indicators],
                    }
                    for k in unknown
                ],
            )
        alt = alt.with_weights(weights)
        bad = policy_problems(alt)
        if bad:
            raise Problem(
                422,
                "Invalid request",
                "the weights make an invalid policy",
                type_="/problems/validation",
                errors=[{"field": f, "message": m} for f, m in bad],
            )
    if (
        as_of is None
        and published is not None
        and alt.inputs_signature() == published.policy.inputs_signature()
    ):
        alt_inputs = list(published.inputs.values())
        source = f"the stored inputs of published ranking {published.id}"
    else:
        alt_inputs = await assessment.gather_inputs(conn, policy=alt, month=month, as_of=as_of)
        source = "the projections" + (f" as of {as_of.isoformat()}" if as_of else " as received so far")
    alt_cards = rank_units(alt, alt_inputs)
    changes = rank_diff(base_cards, alt_cards)
    return {
        "month": month,
        "published": False,
        "baseline": {**baseline, "scorecards": [assessment.card_out(c) for c in base_cards]},
        "alternative": {
            "policy": policy_to_dict(alt),
            "inputs_from": source,
            "as_of": as_of,
            "scorecards": [assessment.card_out(c) for c in alt_cards],
        },
        "changes": [
            {
                "unit_code": x.unit_code,
                "unit_name": x.unit_name,
                "rank_before": x.rank_before,
                "rank_after": x.rank_after,
                "moved": x.moved,
                "score_before": x.score_before,
                "score_after": x.score_after,
            }
            for x in changes
        ],
        "rank_changed": [x.unit_code for x in changes if x.rank_before != x.rank_after],
    }
