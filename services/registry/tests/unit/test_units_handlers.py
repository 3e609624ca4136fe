"""The unit commands on the in-memory registry: state and events, refusals with the field at fault."""

from __future__ import annotations

import pytest
from registry_testkit.builders import NOW, a_unit, world
from registry_testkit.fakes import FakeRegistryUnitOfWork

from diaodu_platform.errors import Problem
from registry.events import UnitRegistered, UnitUpdated
from registry.service_layer import units
from registry.service_layer.commands import UpdateUnit


async def test_a_registered_unit_is_stored_and_announced_with_its_aliases() -> None:
    uow = FakeRegistryUnitOfWork()
    async with uow:
        out = await units.register_unit(uow=uow, cmd=a_unit("manghe", "蟒河镇", aliases=("麟河镇",)), now=NOW)
    assert uow.committed and out.aliases == ["麟河镇"]
    stored = await uow.units.get("manghe")
    assert stored is not None and (stored.name, stored.created_at) == ("蟒河镇", NOW)
    (event,) = uow.events_of(UnitRegistered)
    assert (event.unit_code, event.unit_name, event.aliases) == ("manghe", "蟒河镇", ["麟河镇"])


@pytest.mark.parametrize(
    ("code", "name", "says"),
    [("beiliu", "另一个镇", "unit code 'beiliu'"), ("beiliu2", "beiliu镇", "a unit named 'beiliu镇'")],
)
async def test_a_unit_code_and_a_unit_name_each_belong_to_one_unit(code: str, name: str, says: str) -> None:
    uow = await world()
    with pytest.raises(Problem) as refused:
        async with uow:
            await units.register_unit(uow=uow, cmd=a_unit(code, name), now=NOW)
    assert refused.value.status == 409 and says in refused.value.detail
    assert uow.rolled_back and uow.published == []


async def test_a_parent_unit_must_be_registered_first() -> None:
    uow = FakeRegistryUnitOfWork()
    with pytest.raises(Problem) as refused:
        async with uow:
            await units.register_unit(
                uow=uow, cmd=a_unit("kfq-a", "开发区一园", parent_code="kaifaqu"), now=NOW
            )
    assert refused.value.status == 422
    assert refused.value.ext["errors"][0]["field"] == "parent_code"
    assert await uow.units.get("kfq-a") is None


async def test_an_update_announces_only_the_fields_that_really_changed() -> None:
    uow = await world(unit_codes=("beiliu", "kaifaqu"))
    later = NOW.replace(hour=15)
    changes = {"name": "beiliu镇", "aliases": ["北留"], "parent_code": "kaifaqu"}
    async with uow:
        out = await units.update_unit(uow=uow, cmd=UpdateUnit("beiliu", changes), now=later)
    (event,) = uow.events_of(UnitUpdated)
    assert event.changed == ["aliases", "parent_code"]
    assert (out.aliases, out.parent_code) == (["北留"], "kaifaqu")
    stored = await uow.units.get("beiliu")
    assert stored is not None and stored.updated_at == later


async def test_an_update_that_changes_nothing_announces_nothing() -> None:
    uow = await world()
    async with uow:
        await units.update_unit(uow=uow, cmd=UpdateUnit("beiliu", {"name": "beiliu镇"}), now=NOW)
    assert uow.committed and uow.published == []


async def test_a_unit_cannot_be_its_own_parent() -> None:
    uow = await world()
    with pytest.raises(Problem) as refused:
        async with uow:
            await units.update_unit(uow=uow, cmd=UpdateUnit("beiliu", {"parent_code": "beiliu"}), now=NOW)
    assert refused.value.status == 422 and "its own parent" in refused.value.detail
