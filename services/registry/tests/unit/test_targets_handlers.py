"""The target command on the in-memory registry: many 目标任务 at once, all or none (R1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from registry_testkit.builders import NOW, a_target, world

from diaodu_platform.errors import Problem
from registry.events import TargetSet
from registry.service_layer import targets
from registry.service_layer.commands import UpsertTargets


async def test_targets_are_created_then_changed_then_left_alone_with_one_event_per_real_change() -> None:
    uow = await world(unit_codes=("beiliu", "runcheng"))
    lines = (a_target(None, "48800"), a_target("beiliu", "30000"), a_target("runcheng", "18800"))
    async with uow:
        first = await targets.upsert_targets(uow=uow, cmd=UpsertTargets(lines), now=NOW)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    changed = (lines[0], a_target("beiliu", "31000"), lines[2])
    async with uow:
        second = await targets.upsert_targets(uow=uow, cmd=UpsertTargets(changed), now=NOW)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)
    events = uow.events_of(TargetSet)
    assert [(e.unit_code, e.value) for e in events] == [
        (None, Decimal(48800)),
        ("beiliu", Decimal(30000)),
        ("runcheng", Decimal(18800)),
        ("beiliu", Decimal(31000)),
    ]
    assert events[-1].target_id == events[1].target_id and events[-1].key() == "beiliu"


async def test_a_growth_target_is_its_baseline_grown_by_the_percentage() -> None:
    uow = await world()
    growth = a_target(None, None, period="2025", baseline=Decimal(2217000), growth_pct=Decimal(6))
    async with uow:
        out = await targets.upsert_targets(uow=uow, cmd=UpsertTargets((growth,)), now=NOW)
    (stored,) = out.targets
    assert (stored.value, stored.baseline, stored.growth_pct) == (
        Decimal("2350020.00"),
        Decimal(2217000),
        Decimal(6),
    )


async def test_one_bad_line_saves_no_target_and_every_bad_line_is_named() -> None:
    uow = await world()
    lines = (
        a_target("beiliu", "30000"),
        a_target("nowhere", "1"),
        a_target("beiliu", "30000"),  # the first line again
        a_target(None, "48800", campaign_id="no-such-campaign"),
    )
    with pytest.raises(Problem) as refused:
        async with uow:
            await targets.upsert_targets(uow=uow, cmd=UpsertTargets(lines), now=NOW)
    assert refused.value.status == 422
    assert [e["field"] for e in refused.value.ext["errors"]] == [
        "targets.1.unit_code",
        "targets.2",
        "targets.3.campaign_id",
    ]
    assert await uow.targets.matching({"fixed_asset_investment"}, {"2023Q4"}) == [] and uow.published == []
