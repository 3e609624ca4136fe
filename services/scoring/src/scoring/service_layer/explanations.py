"""Explaining and recomputing a published ranking from what it stored (R9: "explained line by line
and recomputed"). Nothing here reads the projections: only the ranking's own policy and inputs."""

from __future__ import annotations

from diaodu_platform.errors import Problem
from scoring.domain.policy import INDICATORS
from scoring.domain.ranking import PublishedRanking
from scoring.domain.scoring import IndicatorInput, IndicatorScore, Scorecard, UnitInput, rank_units
from scoring.domain.whatif import identical, rank_diff
from scoring.service_layer.read_models import (
    ExplainedIndicatorOut,
    ExplainedInputOut,
    ExplainedUnitOut,
    ExplanationOut,
    PolicyOut,
    RankMoveOut,
    RecomputeOut,
    ScorecardOut,
)

FORMULAS = {
    "signing_rate": "签约额 of signed projects / signing target (signed_amount)",
    "landing_rate": "signed projects that started / signed projects",
    "funds_rate": "到位资金 of signed projects / funds target (funds_in_place)",
    "investment_rate": "investment of stats-registered (入统) projects / investment target "
    "(fixed_asset_investment)",
    "enterprise_rate": "新增入规企业 / target (above_size_enterprise_count)",
}


def _line(i: IndicatorScore, src: IndicatorInput | None) -> ExplainedIndicatorOut:
    return ExplainedIndicatorOut(
        code=i.code,
        label=INDICATORS.get(i.code, (i.code, None))[0],
        formula=FORMULAS.get(i.code),
        actual=i.actual,
        target=i.target,
        target_event_id=src.target_event_id if src else None,
        rate=i.rate,
        cap=i.cap,
        weight=i.weight,
        score=i.score,
        score_formula=f"min({i.rate}, {i.cap}) × {i.weight} = {i.score}"
        if i.rate is not None
        else f"no rate: {i.note}",
        note=i.note,
        inputs=[
            ExplainedInputOut(
                kind=it.kind,
                ref=it.ref,
                label=it.label,
                value=it.value,
                source_event_id=it.source_event_id,
                detail=dict(it.detail),
            )
            for it in (src.items if src else ())
        ],
    )


def _unit(r: PublishedRanking, c: Scorecard, inputs: UnitInput) -> ExplainedUnitOut:
    return ExplainedUnitOut(
        unit_code=c.unit_code,
        unit_name=c.unit_name,
        rank=c.rank,
        total_score=c.total,
        unit_event_id=inputs.unit_event_id,
        indicators=[_line(i, inputs.indicators.get(i.code)) for i in c.indicators],
        tie_breaks={tb: (c.unit_code if tb == "unit_code" else c.rate(tb)) for tb in r.policy.tie_breaks},
    )


def explain(r: PublishedRanking, unit_code: str | None = None) -> ExplanationOut:
    """A published ranking explained line by line (R9): every input with its source event id."""
    if unit_code and unit_code not in r.inputs:
        raise Problem(
            404,
            "Not found",
            f"unit {unit_code} is not in the {r.month} ranking; ranked units: "
            f"{', '.join(c.unit_code for c in r.cards)}",
            type_="/problems/not-found",
        )
    return ExplanationOut(
        ranking_id=r.id,
        month=r.month,
        policy_version=r.policy.version,
        policy=PolicyOut.of(r.policy),
        published_at=r.published_at,
        data_as_of=r.data_as_of,
        units=[
            _unit(r, c, r.inputs[c.unit_code]) for c in r.cards if not unit_code or c.unit_code == unit_code
        ],
    )


def recompute(r: PublishedRanking) -> list[Scorecard]:
    """The ranking recomputed from the stored policy and stored inputs alone."""
    return rank_units(r.policy, r.inputs.values())


def recomputation(r: PublishedRanking) -> RecomputeOut:
    """The published ranking beside its recomputation, and every unit whose rank would change."""
    again = recompute(r)
    return RecomputeOut(
        ranking_id=r.id,
        month=r.month,
        policy_version=r.policy.version,
        identical=identical(r.cards, again),
        published=[ScorecardOut.of(c) for c in r.cards],
        recomputed=[ScorecardOut.of(c) for c in again],
        changes=[
            RankMoveOut(unit_code=x.unit_code, rank_before=x.rank_before, rank_after=x.rank_after)
            for x in rank_diff(r.cards, again)
            if x.rank_before != x.rank_after
        ],
    )
