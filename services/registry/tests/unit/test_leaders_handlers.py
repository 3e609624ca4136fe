"""The leader commands on the in-memory registry: adding a 包联领导 and assigning it."""

from __future__ import annotations

import pytest
from registry_testkit.builders import NOW, registered_project, world
from registry_testkit.fakes import FakeRegistryUnitOfWork

from diaodu_platform.errors import Problem
from registry.events import LeaderAssigned
from registry.service_layer import leaders
from registry.service_layer.commands import AddLeader, AssignLeader


async def _with_leader() -> FakeRegistryUnitOfWork:
    uow = await world()
    async with uow:
        await leaders.add_leader(uow=uow, cmd=AddLeader("li-xian", "李县长", "副县长"), now=NOW)
    return uow


async def test_a_leader_assigned_to_a_unit_and_a_project_is_announced_once() -> None:
    uow = await _with_leader()
    assert uow.published == []  # adding a leader is no news until it is assigned
    project_id = await registered_project(uow)
    async with uow:
        out = await leaders.assign_leader(
            uow=uow, cmd=AssignLeader("li-xian", "beiliu", project_id, "分管"), now=NOW
        )
    (event,) = uow.events_of(LeaderAssigned)
    assert (event.assignment_id, event.leader_name, event.leader_title, event.role) == (
        out.id,
        "李县长",
        "副县长",
        "分管",
    )
    assert event.key() == project_id  # the project's events keep their order


async def test_the_same_assignment_is_refused_the_second_time() -> None:
    uow = await _with_leader()
    async with uow:
        first = await leaders.assign_leader(uow=uow, cmd=AssignLeader("li-xian", "beiliu"), now=NOW)
    with pytest.raises(Problem) as refused:
        async with uow:
            await leaders.assign_leader(uow=uow, cmd=AssignLeader("li-xian", "beiliu"), now=NOW)
    assert refused.value.status == 409 and refused.value.ext["assignment_id"] == first.id
    assert len(uow.events_of(LeaderAssigned)) == 1


@pytest.mark.parametrize(
    ("cmd", "status"),
    [
        (AssignLeader("wang", "beiliu"), 404),  # no such leader
        (AssignLeader("li-xian", "nowhere"), 422),  # no such unit
        (AssignLeader("li-xian", project_id="p-404"), 422),  # no such project
    ],
)
async def test_an_assignment_names_a_leader_unit_and_project_that_exist(
    cmd: AssignLeader, status: int
) -> None:
    uow = await _with_leader()
    with pytest.raises(Problem) as refused:
        async with uow:
            await leaders.assign_leader(uow=uow, cmd=cmd, now=NOW)
    assert refused.value.status == status and uow.published == []
