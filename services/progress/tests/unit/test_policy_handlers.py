"""Replacing the policy (R2–R5 numbers) on the in-memory unit of work."""

from __future__ import annotations

from decimal import Decimal

import pytest
from progress_testkit.builders import ADMIN, on, run, world

from diaodu_platform.errors import Problem
from progress.domain.policy import ScheduleCurve
from progress.service_layer.commands import ReplacePolicy
from progress.service_layer.policy import replace_policy


async def test_replacing_the_policy_stores_it_under_the_next_version() -> None:
    uow = world()
    cmd = ReplacePolicy({"due_day": 25, "schedule_curve": "milestone", "red_above_points": 25})
    out = await run(uow, replace_policy, cmd=cmd, now=on(1, 5), principal=ADMIN)
    assert (out.version, out.due_day, out.schedule_curve) == (1, 25, ScheduleCurve.MILESTONE)
    assert out.red_above_points == Decimal(25)
    assert uow.policy.policy.due_day == 25 and uow.policy.saved_by == "office"
    assert (await run(uow, replace_policy, cmd=cmd, now=on(1, 6), principal=ADMIN)).version == 2


async def test_an_inconsistent_policy_is_refused_and_the_old_one_stays() -> None:
    uow = world()
    cmd = ReplacePolicy({"yellow_from_points": 40, "red_above_points": 30})
    with pytest.raises(Problem) as invalid:
        await run(uow, replace_policy, cmd=cmd, now=on(1, 5), principal=ADMIN)
    assert invalid.value.status == 422 and invalid.value.title == "Invalid policy"
    assert invalid.value.ext["errors"][0]["field"] == "policy"
    assert uow.policy.version == 0
