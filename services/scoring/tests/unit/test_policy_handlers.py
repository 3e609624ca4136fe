"""Publishing scoring policies (考核办法, R9) on the in-memory unit of work: versioned data."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

import pytest
from scoring_testkit.fakes import FakeScoringUnitOfWork

from diaodu_platform.errors import Problem
from diaodu_platform.types import SHANGHAI
from scoring.domain.policy import DEFAULT_POLICY, IndicatorSpec, Policy
from scoring.events import PolicyPublished
from scoring.service_layer.commands import PublishPolicy
from scoring.service_layer.policies import current_policy, ensure_default, publish_policy, require_policy

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)
INVESTMENT_FIRST = replace(
    DEFAULT_POLICY,
    version=0,
    name="入库投资加权",
    indicators=(
        IndicatorSpec("signing_rate", D(10), D("1.2")),
        IndicatorSpec("landing_rate", D(10), D("1.2")),
        IndicatorSpec("funds_rate", D(10), D("1.2")),
        IndicatorSpec("investment_rate", D(60), D("1.2")),
        IndicatorSpec("enterprise_rate", D(10), D("1.2")),
    ),
)


async def publish(uow: FakeScoringUnitOfWork, draft: Policy = INVESTMENT_FIRST) -> int:
    async with uow:
        policy = await publish_policy(uow=uow, cmd=PublishPolicy(draft=draft), by="office", now=NOW)
    return policy.version


async def test_the_first_policy_published_is_version_2_after_the_r9_default() -> None:
    uow = FakeScoringUnitOfWork()
    assert await publish(uow) == 2
    assert await uow.policies.versions() == [1, 2]
    assert [(e.policy_version, e.published_by) for e in uow.events_of(PolicyPublished)] == [
        (1, "system (R9 default)"),
        (2, "office"),
    ]


async def test_each_published_policy_takes_the_next_version() -> None:
    uow = FakeScoringUnitOfWork()
    assert [await publish(uow), await publish(uow), await publish(uow)] == [2, 3, 4]
    assert (await uow.policies.get(3)) == replace(INVESTMENT_FIRST, version=3)
    assert [e.policy["indicators"][3]["weight"] for e in uow.events_of(PolicyPublished)[1:]] == [60, 60, 60]


async def test_a_policy_with_a_negative_weight_is_refused_naming_the_field() -> None:
    uow = FakeScoringUnitOfWork()
    specs = (IndicatorSpec("signing_rate", D(-5), D("1.2")), *INVESTMENT_FIRST.indicators[1:])
    with pytest.raises(Problem) as refused:
        await publish(uow, replace(INVESTMENT_FIRST, indicators=specs))
    assert refused.value.status == 422
    assert refused.value.ext["errors"] == [
        {"field": "indicators.0.weight", "message": "a weight must not be negative"}
    ]
    assert uow.rolled_back and not uow.published and await uow.policies.versions() == []


async def test_a_policy_breaking_ties_by_an_unscored_indicator_is_refused() -> None:
    uow = FakeScoringUnitOfWork()
    with pytest.raises(Problem) as refused:
        await publish(uow, replace(INVESTMENT_FIRST, tie_breaks=("speed",)))
    assert [e["field"] for e in refused.value.ext["errors"]] == ["tie_breaks.0"]


async def test_the_r9_default_is_stored_once_however_often_it_is_asked_for() -> None:
    uow = FakeScoringUnitOfWork()
    async with uow:
        first = await ensure_default(uow=uow, now=NOW)
        again = await ensure_default(uow=uow, now=NOW)
    assert (first, again) == (True, False)
    assert [e.policy_version for e in uow.events_of(PolicyPublished)] == [1]
    assert await uow.policies.get(1) == DEFAULT_POLICY


async def test_a_policy_applies_from_its_effective_month() -> None:
    uow = FakeScoringUnitOfWork()
    await publish(uow, replace(INVESTMENT_FIRST, effective_from="2024-07"))
    async with uow:
        june = await current_policy(uow=uow, month="2024-06", now=NOW)
        july = await current_policy(uow=uow, month="2024-07", now=NOW)
    assert (june.version, july.version) == (1, 2)


async def test_an_unknown_policy_version_is_refused_naming_the_published_ones() -> None:
    uow = FakeScoringUnitOfWork()
    await publish(uow)
    with pytest.raises(Problem) as refused:
        await require_policy(uow.policies, 7)
    assert refused.value.status == 404 and "published versions: 1, 2" in refused.value.detail
