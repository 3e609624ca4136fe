"""Explaining and recomputing a published ranking from what it stored (R9: "explained line by line
and recomputed"). Nothing here reads the projections: only the ranking's own policy and inputs."""

from __future__ import annotations

from typing import Any

from scoring.domain.policy import INDICATORS, policy_to_dict
from scoring.domain.scoring import Scorecard, rank_units
from scoring.service_layer.assessment import StoredRanking

FORMULAS = {
    "signing_rate": "签约额 of signed projects / signing target (signed_amount)",
    "landing_rate": "signed projects that started / signed projects",
    "funds_rate": "到位资金 of signed projects / funds target (funds_in_place)",
    "investment_rate": "investment of stats-registered (入统) projects / investment target "
    "(fixed_asset_investment)",
    "enterprise_rate": "新增入规企业 / target (above_size_enterprise_count)",
}


def explain(r: StoredRanking, unit_code: str | None = None) -> dict[str, Any]:
    """Every indicator of every unit (or one unit) with its numbers, their source event ids and the
    policy version: the line-by-line explanation of a published ranking."""
    units = []
    for c in r.cards:
        if unit_code and c.unit_code != unit_code:
            continue
        inputs = r.inputs[c.unit_code]
        lines = []
        for i in c.indicators:
            src = inputs.indicators.get(i.code)
            lines.append(
                {
                    "code": i.code,
                    "label": INDICATORS.get(i.code, (i.code, None))[0],
                    "formula": FORMULAS.get(i.code),
                    "actual": i.actual,
                    "target": i.target,
                    "target_event_id": src.target_event_id if src else None,
                    "rate": i.rate,
                    "cap": i.cap,
                    "weight": i.weight,
                    "score": i.score,
                    "score_formula": f"min({i.rate}, {i.cap}) × {i.weight} = {i.score}"
                    if i.rate is not None
                    else f"no rate: {i.note}",
                    "note": i.note,
                    "inputs": [
                        {
                            "kind": it.kind,
                            "ref": it.ref,
                            "label": it.label,
                            "value": it.value,
                            "source_event_id": it.source_event_id,
                            "detail": dict(it.detail),
                        }
                        for it in (src.items if src else ())
                    ],
                }
            )
        units.append(
            {
                "unit_code": c.unit_code,
                "unit_name": c.unit_name,
                "rank": c.rank,
                "total_score": c.total,
                "unit_event_id": inputs.unit_event_id,
                "indicators": lines,
                "tie_breaks": {
                    tb: (c.unit_code if tb == "unit_code" else c.rate(tb)) for tb in r.policy.tie_breaks
                },
            }
        )
    return {
        "ranking_id": r.id,
        "month": r.month,
        "policy_version": r.policy.version,
        "policy": policy_to_dict(r.policy),
        "published_at": r.published_at,
        "data_as_of": r.data_as_of,
        "units": units,
    }


def recompute(r: StoredRanking) -> list[Scorecard]:
    """The ranking recomputed from the stored policy and stored inputs alone."""
    return rank_units(r.policy, r.inputs.values())
