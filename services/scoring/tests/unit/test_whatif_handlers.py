"""What-if (R9: explained and recomputed, never silently changed) on the in-memory unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

import pytest
from scoring_testkit.fakes import FakeScoringUnitOfWork
from scoring_testkit.month import seed

from diaodu_platform.errors import Problem
from diaodu_platform.types import SHANGHAI
from scoring.domain.policy import DEFAULT_POLICY
from scoring.events import RankingPublished
from scoring.service_layer.assessment import run_assessment
from scoring.service_layer.commands import RunAssessment, WhatIf
from scoring.service_layer.policies import ensure_default
from scoring.service_layer.read_models import WhatIfOut
from scoring.service_layer.whatif import what_if

NOW = datetime(2024, 3, 26, 9, 0, tzinfo=SHANGHAI)
ONLY_ENTERPRISES = {
    "signing_rate": D(0),
    "landing_rate": D(0),
    "funds_rate": D(0),
    "investment_rate": D(0),
    "enterprise_rate": D(100),
}


async def published_month() -> FakeScoringUnitOfWork:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    async with uow:
        await run_assessment(uow=uow, cmd=RunAssessment(month="2024-03"), by="office", now=NOW)
    return uow


async def ask(
    uow: FakeScoringUnitOfWork, policy_version: int | None = None, weights: dict[str, D] | None = None
) -> WhatIfOut:
    async with uow:
        return await what_if(
            uow=uow, cmd=WhatIf(month="2024-03", policy_version=policy_version, weights=weights), now=NOW
        )


async def test_what_if_with_other_weights_shows_the_rank_changes_and_publishes_nothing() -> None:
    uow = await published_month()
    events = list(uow.published)
    answer = await ask(uow, weights=ONLY_ENTERPRISES)
    assert {x.unit_code: (x.rank_before, x.rank_after) for x in answer.changes} == {
        "dingdian": (4, 1),
        "sitou": (5, 2),
        "rc": (1, 3),
        "fc": (3, 4),
        "bl": (2, 5),
    }
    assert answer.published is False and answer.baseline.ranking_id == 1
    assert answer.alternative.inputs_from == "the stored inputs of published ranking 1"
    assert uow.published == events and len(uow.rankings.rows) == 1


async def test_what_if_of_an_unpublished_month_computes_its_baseline_from_the_projections() -> None:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    answer = await ask(uow)
    assert answer.baseline.ranking_id is None
    assert answer.baseline.source == "not published: computed now from the projections"
    assert answer.rank_changed == []
    assert not uow.events_of(RankingPublished)


async def test_what_if_refuses_weights_for_indicators_the_policy_does_not_score() -> None:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    four = replace(DEFAULT_POLICY, version=2, name="四项", indicators=DEFAULT_POLICY.indicators[:4])
    async with uow:
        await ensure_default(uow=uow, now=NOW)
        await uow.policies.add(four, by="office", now=NOW)
    with pytest.raises(Problem) as refused:
        await ask(uow, policy_version=2, weights={"enterprise_rate": D(40)})
    assert refused.value.ext["errors"] == [
        {
            "field": "weights.enterprise_rate",
            "message": "not an indicator of the policy",
            "allowed": ["signing_rate", "landing_rate", "funds_rate", "investment_rate"],
        }
    ]
