"""Quarter-end milestones (R10) on the in-memory unit of work, over the hand-computed month."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from scoring_testkit.fakes import FakeScoringUnitOfWork
from scoring_testkit.month import seed

from diaodu_platform.types import SHANGHAI
from scoring.events import MilestoneMissed
from scoring.service_layer.commands import CheckMilestones
from scoring.service_layer.milestones import check_milestones
from scoring.service_layer.read_models import MilestoneResultOut

AFTER_Q1 = datetime(2024, 4, 1, 9, 0, tzinfo=SHANGHAI)


async def check(uow: FakeScoringUnitOfWork, period: str = "2024Q1") -> list[MilestoneResultOut]:
    async with uow:
        return await check_milestones(uow=uow, cmd=CheckMilestones(period=period), now=AFTER_Q1)


async def test_units_below_18_percent_of_an_annual_target_at_the_end_of_march_miss_their_milestone() -> None:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    results = await check(uow)
    missed = {(e.unit_code, e.metric): e for e in uow.events_of(MilestoneMissed)}
    assert sorted(missed) == [("bl", "above_size_enterprise_count"), ("sitou", "funds_in_place")]
    funds = missed[("sitou", "funds_in_place")]
    assert (funds.expected_share, funds.expected_value, funds.actual, funds.shortfall) == (
        D("0.18"),
        D("180.00"),
        D(0),
        D("180.00"),
    )
    assert (funds.period, funds.scope, funds.policy_version) == ("2024Q1", "unit", 1)
    assert sum(r.missed for r in results) == 2 and all(r.newly_recorded for r in results)


async def test_a_unit_on_schedule_misses_nothing() -> None:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    results = {(r.unit_code, r.metric): r for r in await check(uow)}
    fc = results[("fc", "fixed_asset_investment")]
    assert (fc.missed, fc.actual, fc.expected_value, fc.actual_share) == (
        False,
        D(21000),
        D("8100.00"),
        D("0.4667"),
    )


async def test_a_missed_milestone_is_published_once() -> None:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    await check(uow)
    again = await check(uow)
    assert not any(r.newly_recorded for r in again)
    assert len(uow.events_of(MilestoneMissed)) == 2


async def test_the_region_is_measured_over_every_units_projects() -> None:
    uow = FakeScoringUnitOfWork()
    seed(uow.facts)
    uow.facts.add_target(None, "fixed_asset_investment", 200000)
    uow.facts.add_target(None, "funds_in_place", 100000)
    results = {(r.unit_code, r.metric): r for r in await check(uow)}
    assert results[(None, "fixed_asset_investment")].actual == D(50001)
    assert not results[(None, "fixed_asset_investment")].missed
    [region] = [e for e in uow.events_of(MilestoneMissed) if e.scope == "region"]
    assert (region.unit_code, region.metric, region.actual, region.shortfall, region.key()) == (
        None,
        "funds_in_place",
        D(13500),
        D("4500.00"),
        "region",
    )
