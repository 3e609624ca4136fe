"""The monthly assessment (R9) on the in-memory unit of work, over the hand-computed month."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from scoring_testkit.fakes import FakeScoringUnitOfWork
from scoring_testkit.month import seed

from diaodu_platform.errors import Problem
from diaodu_platform.types import SHANGHAI
from scoring.domain.ranking import PublishedRanking
from scoring.events import InterviewRequired, RankingPublished, ScorecardComputed
from scoring.service_layer.assessment import run_assessment
from scoring.service_layer.commands import RunAssessment
from scoring.service_layer.explanations import explain, recomputation
from scoring.service_layer.jobs import run_assessment_day

ASSESSMENT_DAY = datetime(2024, 3, 25, 9, 0, tzinfo=SHANGHAI)


def month_uow() -> FakeScoringUnitOfWork:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    return uow


async def assess(
    uow: FakeScoringUnitOfWork, month: str = "2024-03", policy_version: int | None = None
) -> tuple[PublishedRanking, bool]:
    async with uow:
        return await run_assessment(
            uow=uow,
            cmd=RunAssessment(month=month, policy_version=policy_version),
            by="office",
            now=ASSESSMENT_DAY,
        )


async def test_the_monthly_assessment_ranks_the_townships_as_computed_by_hand() -> None:
    uow = month_uow()
    ranking, created = await assess(uow)
    assert created and uow.committed
    [published] = uow.events_of(RankingPublished)
    assert [(u.rank, u.unit_code, u.total_score) for u in published.ranking] == [
        (1, "rc", D("79.00")),
        (2, "bl", D("79.00")),
        (3, "fc", D("53.50")),
        (4, "dingdian", D("32.50")),
        (5, "sitou", D("32.50")),
    ]
    assert (published.month, published.policy_version, published.trigger) == ("2024-03", 1, "admin")
    cards = {e.unit_code: e for e in uow.events_of(ScorecardComputed)}
    assert sorted(cards) == ["bl", "dingdian", "fc", "rc", "sitou"]  # the department is not ranked
    assert [(i.code, i.rate, i.score) for i in cards["fc"].indicators] == [
        ("signing_rate", D("0.8"), D("16.00")),
        ("landing_rate", D("0.5"), D("10.00")),
        ("funds_rate", D("0.5"), D("10.00")),
        ("investment_rate", D("0.4"), D("10.00")),
        ("enterprise_rate", D("0.5"), D("7.50")),
    ]
    assert await uow.rankings.get(month="2024-03") is ranking


async def test_the_bottom_three_units_are_summoned_to_an_interview_with_their_leaders() -> None:
    uow = month_uow()
    ranking, _ = await assess(uow)
    interviews = uow.events_of(InterviewRequired)
    assert [(e.unit_code, e.rank, e.ranked_count) for e in interviews] == [
        ("fc", 3, 5),
        ("dingdian", 4, 5),
        ("sitou", 5, 5),
    ]
    assert [[ld.leader_name for ld in e.leaders] for e in interviews] == [
        ["王副县长"],
        ["李副县长"],
        ["张副县长"],
    ]
    assert interviews[0].reason == "2024-03 五个一批考核 ranked 3 of 5 (bottom 3): 约谈"
    assert list(ranking.interviews) == ["fc", "dingdian", "sitou"]
    assert uow.events_of(RankingPublished)[0].bottom_units == ["fc", "dingdian", "sitou"]


async def test_a_month_is_published_once_per_policy_version() -> None:
    uow = month_uow()
    first, _ = await assess(uow)
    again, created = await assess(uow)
    assert not created and again is first
    assert len(uow.events_of(RankingPublished)) == 1 and len(uow.events_of(InterviewRequired)) == 3


async def test_a_month_without_any_target_is_not_assessed() -> None:
    uow = FakeScoringUnitOfWork()
    uow.facts.add_unit("fc", "凤城镇")
    uow.facts.add_unit("bl", "北留镇")
    with pytest.raises(Problem) as refused:
        await assess(uow)
    assert (refused.value.status, refused.value.type) == (422, "/problems/nothing-to-assess")
    assert refused.value.detail.startswith("none of the 2 ranked units has a target for period 2024")
    assert not uow.events_of(RankingPublished) and await uow.rankings.latest() is None


async def test_a_month_without_ranked_units_is_not_assessed() -> None:
    uow = FakeScoringUnitOfWork()
    uow.facts.add_unit("jtj", "交通局", "department")
    with pytest.raises(Problem) as refused:
        await assess(uow)
    assert refused.value.detail == "no units of kind township are registered"


async def test_an_assessment_under_an_unpublished_policy_version_is_refused() -> None:
    with pytest.raises(Problem) as refused:
        await assess(month_uow(), policy_version=9)
    assert refused.value.status == 404


async def test_a_published_ranking_is_explained_and_recomputed_from_what_it_stored() -> None:
    uow = month_uow()
    ranking, _ = await assess(uow)
    again = recomputation(ranking)
    assert again.identical and again.changes == []
    [fc] = explain(ranking, "fc").units
    investment = next(i for i in fc.indicators if i.code == "investment_rate")
    assert [(x.ref, x.value) for x in investment.inputs] == [("fc-1", D(12000)), ("fc-3", D(6000))]
    assert investment.target_event_id == "ev-target-fc-fixed_asset_investment"
    with pytest.raises(Problem):
        explain(ranking, "jtj")


def app_with(uow: FakeScoringUnitOfWork) -> SimpleNamespace:
    """Just what the assessment job reads from the app: its unit of work and (no) campaign metrics."""
    return SimpleNamespace(state=SimpleNamespace(new_uow=lambda: uow, metrics=SimpleNamespace(scoring=None)))


async def test_the_assessment_job_waits_for_the_assessment_day() -> None:
    uow = month_uow()
    await run_assessment_day(app_with(uow), datetime(2024, 3, 24, 23, 0, tzinfo=SHANGHAI))
    assert not uow.events_of(RankingPublished)
    await run_assessment_day(app_with(uow), ASSESSMENT_DAY)
    [published] = uow.events_of(RankingPublished)
    assert (published.trigger, published.month) == ("scheduled", "2024-03")
