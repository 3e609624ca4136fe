"""What-if: a past month under another policy version, other weights, or the data as of another
date — computed, compared with the published ranking, and never published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from diaodu_platform.errors import Problem
from scoring.domain.policy import Policy, policy_problems
from scoring.domain.ranking import PublishedRanking
from scoring.domain.scoring import Scorecard, UnitInput, rank_units
from scoring.domain.whatif import rank_diff
from scoring.service_layer.assessment import gather_inputs
from scoring.service_layer.commands import WhatIf
from scoring.service_layer.policies import current_policy, require_policy
from scoring.service_layer.read_models import (
    PolicyOut,
    RankChangeOut,
    ScorecardOut,
    WhatIfAlternativeOut,
    WhatIfBaselineOut,
    WhatIfOut,
)
from scoring.service_layer.unit_of_work import ScoringUnitOfWork


async def _baseline(
    uow: ScoringUnitOfWork, published: PublishedRanking | None, *, month: str, now: datetime
) -> tuple[Policy, list[Scorecard], dict[str, Any]]:
    """The published ranking of the month, or the month computed now when none is published."""
    if published is not None:
        about = {
            "source": f"published ranking {published.id}",
            "ranking_id": published.id,
            "policy_version": published.policy.version,
        }
        return published.policy, published.cards, about
    policy = await current_policy(uow=uow, month=month, now=now)
    inputs = await gather_inputs(uow.facts, policy=policy, month=month, as_of=None)
    about = {
        "source": "not published: computed now from the projections",
        "ranking_id": None,
        "policy_version": policy.version,
    }
    return policy, rank_units(policy, inputs), about


def _with_weights(alt: Policy, cmd: WhatIf) -> Policy:
    """The policy with the command's weights; 422 naming each weight it cannot take."""
    if not cmd.weights:
        return alt
    unknown = sorted(set(cmd.weights) - {i.code for i in alt.indicators})
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
    alt = alt.with_weights(cmd.weights)
    bad = policy_problems(alt)
    if bad:
        raise Problem(
            422,
            "Invalid request",
            "the weights make an invalid policy",
            type_="/problems/validation",
            errors=[{"field": f, "message": m} for f, m in bad],
        )
    return alt


async def _alternative_inputs(
    uow: ScoringUnitOfWork, alt: Policy, published: PublishedRanking | None, cmd: WhatIf
) -> tuple[list[UnitInput], str]:
    """The published ranking's stored inputs when the alternative is scored from the same ones, else
    the projections (as of `as_of`)."""
    if (
        cmd.as_of is None
        and published is not None
        and alt.inputs_signature() == published.policy.inputs_signature()
    ):
        return list(published.inputs.values()), f"the stored inputs of published ranking {published.id}"
    inputs = await gather_inputs(uow.facts, policy=alt, month=cmd.month, as_of=cmd.as_of)
    as_of = cmd.as_of
    return inputs, "the projections" + (f" as of {as_of.isoformat()}" if as_of else " as received so far")


def _changes(base_cards: list[Scorecard], alt_cards: list[Scorecard]) -> list[RankChangeOut]:
    return [
        RankChangeOut(
            unit_code=x.unit_code,
            unit_name=x.unit_name,
            rank_before=x.rank_before,
            rank_after=x.rank_after,
            moved=x.moved,
            score_before=x.score_before,
            score_after=x.score_after,
        )
        for x in rank_diff(base_cards, alt_cards)
    ]


async def what_if(*, uow: ScoringUnitOfWork, cmd: WhatIf, now: datetime) -> WhatIfOut:
    """Rank a month under an alternative and list each unit's rank before and after; publishes nothing."""
    published = await uow.rankings.get(month=cmd.month)
    base_policy, base_cards, about = await _baseline(uow, published, month=cmd.month, now=now)
    alt = await require_policy(uow.policies, cmd.policy_version) if cmd.policy_version else base_policy
    alt = _with_weights(alt, cmd)
    alt_inputs, source = await _alternative_inputs(uow, alt, published, cmd)
    alt_cards = rank_units(alt, alt_inputs)
    changes = _changes(base_cards, alt_cards)
    return WhatIfOut(
        month=cmd.month,
        published=False,
        baseline=WhatIfBaselineOut(**about, scorecards=[ScorecardOut.of(c) for c in base_cards]),
        alternative=WhatIfAlternativeOut(
            policy=PolicyOut.of(alt),
            inputs_from=source,
            as_of=cmd.as_of,
            scorecards=[ScorecardOut.of(c) for c in alt_cards],
        ),
        changes=changes,
        rank_changed=[x.unit_code for x in changes if x.rank_before != x.rank_after],
    )
