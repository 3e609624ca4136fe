"""Unit returns (单位月报: 新增入规企业, R9) on the in-memory unit of work."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from progress_testkit.builders import ADMIN, on, reporter, run, world
from progress_testkit.fakes import FakeProgressUnitOfWork

from diaodu_platform.auth import Principal
from diaodu_platform.errors import Problem
from progress.events import Enterprise, UnitReturnSubmitted
from progress.service_layer.commands import SubmitUnitReturn
from progress.service_layer.read_models import UnitReturnOut
from progress.service_layer.unit_returns import submit_unit_return

JINFA = Enterprise(name="阳城县晋发建材有限公司", date=date(2027, 2, 14))


async def returned(
    uow: FakeProgressUnitOfWork, cmd: SubmitUnitReturn, at: datetime, by: Principal = ADMIN
) -> UnitReturnOut:
    out: UnitReturnOut = await run(uow, submit_unit_return, cmd=cmd, now=at, principal=by)
    return out


async def test_a_unit_return_lists_the_enterprises_and_is_an_event() -> None:
    uow = world(("p1", "fc", "100"))
    out = await returned(uow, SubmitUnitReturn("fc", "2027-02", (JINFA,)), on(3, 5), reporter("fc"))
    assert (out.revision, out.late, out.above_size_enterprises) == (1, True, [JINFA])  # February closed
    [event] = uow.events_of(UnitReturnSubmitted)
    assert (event.unit_code, event.month, event.revision) == ("fc", "2027-02", 1)
    assert event.above_size_enterprises == [JINFA]
    assert uow.unit_returns.rows[0]["above_size_enterprises"] == [{"name": JINFA.name, "date": "2027-02-14"}]


async def test_a_second_return_for_the_month_is_its_next_revision() -> None:
    uow = world(("p1", "fc", "100"))
    await returned(uow, SubmitUnitReturn("fc", "2027-02", (JINFA,)), on(2, 20))
    again = await returned(uow, SubmitUnitReturn("fc", "2027-02", (JINFA,)), on(2, 21))
    assert again.revision == 2 and again.late is False
    assert [e.revision for e in uow.events_of(UnitReturnSubmitted)] == [1, 2]


async def test_an_enterprise_dated_after_the_month_is_refused() -> None:
    uow = world(("p1", "fc", "100"))
    with pytest.raises(Problem) as refused:
        await returned(
            uow, SubmitUnitReturn("fc", "2027-02", (Enterprise(name="x", date=date(2027, 3, 2)),)), on(3, 5)
        )
    [error] = refused.value.ext["errors"]
    assert (error["rule"], error["field"]) == ("date_after_month", "above_size_enterprises.0.date")
    assert error["month_end"] == "2027-02-28"
    assert uow.unit_returns.rows == [] and uow.published == []


async def test_a_return_for_an_unregistered_unit_is_refused() -> None:
    with pytest.raises(Problem) as refused:
        await returned(world(), SubmitUnitReturn("ghost", "2027-02"), on(3, 5))
    assert [e["rule"] for e in refused.value.ext["errors"]] == ["unregistered_unit"]


async def test_a_reporter_cannot_file_another_units_return() -> None:
    uow = world(("p1", "fc", "100"))
    with pytest.raises(Problem) as denied:
        await returned(uow, SubmitUnitReturn("fc", "2027-02"), on(3, 5), reporter("valid"))
    assert denied.value.status == 403 and uow.unit_returns.rows == []
