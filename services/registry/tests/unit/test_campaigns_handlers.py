"""The campaign command on the in-memory registry: a 行动 window is created once."""

from __future__ import annotations

from datetime import date

import pytest
from registry_testkit.builders import NOW, a_campaign
from registry_testkit.fakes import FakeRegistryUnitOfWork

from diaodu_platform.errors import Problem
from registry.events import CampaignCreated
from registry.service_layer import campaigns


async def test_a_created_campaign_is_stored_and_announced_with_its_window() -> None:
    uow = FakeRegistryUnitOfWork()
    async with uow:
        out = await campaigns.create_campaign(uow=uow, cmd=a_campaign(), now=NOW)
    (event,) = uow.events_of(CampaignCreated)
    assert (event.campaign_id, event.start_date, event.end_date) == (
        out.id,
        date(2023, 11, 1),
        date(2024, 2, 20),
    )
    stored = await uow.campaigns.get("yangcheng-2023-winter")
    assert stored is not None and stored.created_at == NOW


async def test_a_campaign_id_and_a_campaign_name_are_used_once() -> None:
    uow = FakeRegistryUnitOfWork()
    async with uow:
        await campaigns.create_campaign(uow=uow, cmd=a_campaign(), now=NOW)
    for cmd in (a_campaign(name="另一个行动"), a_campaign("other-id")):
        with pytest.raises(Problem) as refused:
            async with uow:
                await campaigns.create_campaign(uow=uow, cmd=cmd, now=NOW)
        assert refused.value.status == 409
    assert len(uow.published) == 1
