"""The project commands on the in-memory registry: registration, changes and the lifecycle (SPEC §3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from registry_testkit.builders import ADMIN, NOW, a_project, registered_project, reporter, world

from diaodu_platform.errors import Problem
from registry.domain.model import Stage
from registry.events import ProjectRegistered, ProjectStageChanged, ProjectUpdated
from registry.service_layer import projects
from registry.service_layer.commands import ChangeStage, ProcedureLine, UpdateProject


async def test_a_registered_project_is_announced_with_its_full_snapshot() -> None:
    uow = await world()
    async with uow:
        snap = await projects.register_project(
            uow=uow, cmd=a_project(), now=NOW, principal=reporter("beiliu")
        )
    (event,) = uow.events_of(ProjectRegistered)
    assert event.project == snap and event.project_id == snap.project_id
    assert (snap.stage, snap.version, snap.total_investment) == ("planned", 1, Decimal("120000.50"))
    assert snap.procedures[0].model_dump(mode="json") == {
        "item": "approval",
        "state": "done",
        "date": "2023-10-01",
        "note": None,
    }
    stored = await uow.projects.get(snap.project_id)
    assert stored is not None and stored.created_at == stored.updated_at == NOW


async def test_a_reporter_registers_projects_for_its_own_unit_only() -> None:
    uow = await world(unit_codes=("beiliu", "runcheng"))
    with pytest.raises(Problem) as refused:
        async with uow:
            await projects.register_project(uow=uow, cmd=a_project(), now=NOW, principal=reporter("runcheng"))
    assert refused.value.status == 403 and uow.published == []


async def test_a_project_needs_a_registered_unit_and_an_unused_code() -> None:
    uow = await world()
    with pytest.raises(Problem) as no_unit:
        async with uow:
            await projects.register_project(uow=uow, cmd=a_project("nowhere"), now=NOW, principal=ADMIN)
    assert no_unit.value.status == 422 and no_unit.value.ext["errors"][0]["field"] == "unit_code"
    await registered_project(uow, code="HC-1")
    with pytest.raises(Problem) as taken:
        async with uow:
            await projects.register_project(
                uow=uow, cmd=a_project(code="HC-1", name="别的"), now=NOW, principal=ADMIN
            )
    assert taken.value.status == 409 and "HC-1" in taken.value.detail


async def test_a_project_moves_one_stage_at_a_time_and_keeps_its_history() -> None:
    uow = await world()
    project_id = await registered_project(uow)
    for step, stage in enumerate((Stage.RESERVE, Stage.PRELIMINARY), start=1):
        async with uow:
            snap = await projects.change_stage(
                uow=uow,
                cmd=ChangeStage(project_id, stage, "手续齐备"),
                now=NOW.replace(day=20 + step),
                principal=ADMIN,
            )
    assert (snap.stage, snap.version) == ("preliminary", 3)
    assert [(h.from_stage, h.to_stage, h.changed_by) for h in uow.projects.history] == [
        ("planned", "reserve", "office-clerk"),
        ("reserve", "preliminary", "office-clerk"),
    ]
    events = uow.events_of(ProjectStageChanged)
    assert [(e.from_stage, e.to_stage, e.changed_at.day) for e in events] == [
        ("planned", "reserve", 21),
        ("reserve", "preliminary", 22),
    ]


async def test_a_project_cannot_skip_from_reserve_to_completed() -> None:
    uow = await world()
    project_id = await registered_project(uow, stage=Stage.RESERVE)
    with pytest.raises(Problem) as refused:
        async with uow:
            await projects.change_stage(
                uow=uow, cmd=ChangeStage(project_id, Stage.COMPLETED), now=NOW, principal=ADMIN
            )
    assert refused.value.status == 409
    assert refused.value.ext["current_stage"] == "reserve"
    assert refused.value.ext["allowed_next_stages"] == ["planned", "preliminary", "cancelled"]
    stored = await uow.projects.get(project_id)
    assert stored is not None and stored.stage == "reserve" and uow.published == []


async def test_an_update_is_announced_with_the_fields_that_changed_and_a_new_version() -> None:
    uow = await world()
    project_id = await registered_project(uow)
    changes = {
        "name": "皇城相府文旅综合开发项目",  # as it is: not a change
        "total_investment": Decimal(125000),
        "procedures": (ProcedureLine("approval", "done"),),
    }
    async with uow:
        snap = await projects.update_project(
            uow=uow, cmd=UpdateProject(project_id, changes), now=NOW, principal=reporter("beiliu")
        )
    (event,) = uow.events_of(ProjectUpdated)
    assert event.changed == ["total_investment", "procedures"]
    assert (snap.version, snap.total_investment, len(snap.procedures)) == (2, Decimal(125000), 1)


async def test_an_annual_plan_above_the_total_investment_is_refused() -> None:
    uow = await world()
    project_id = await registered_project(uow)
    with pytest.raises(Problem) as refused:
        async with uow:
            changes = {"annual_plan_investment": Decimal(200000)}
            await projects.update_project(
                uow=uow, cmd=UpdateProject(project_id, changes), now=NOW, principal=ADMIN
            )
    assert refused.value.status == 422
    assert refused.value.ext["errors"][0]["total_investment"] == 120000.5
