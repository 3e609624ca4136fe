"""Unit-level monthly return (单位月报): enterprises newly above designated size (新增入规企业, R9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from diaodu_platform.auth import Principal, forbid_other_unit
from diaodu_platform.errors import conflict
from progress.adapters.repositories import AlreadyWritten
from progress.domain.deadlines import is_late
from progress.domain.model import Month, RefusalRule
from progress.domain.validation import Refusal, check_month
from progress.events import UnitReturnSubmitted
from progress.service_layer.commands import SubmitUnitReturn
from progress.service_layer.read_models import UnitReturnOut
from progress.service_layer.reports import refused
from progress.service_layer.unit_of_work import ProgressUnitOfWork


def _refusals(cmd: SubmitUnitReturn, month: Month, *, known: bool, now: datetime) -> list[Refusal]:
    problems: list[Refusal] = []
    if not known:
        problems.append(
            Refusal(
                "unit_code",
                RefusalRule.UNREGISTERED_UNIT,
                f"unit {cmd.unit_code} is not registered; check the code",
                {"unit_code": cmd.unit_code},
            )
        )
    future = check_month(month, now)
    if future:
        problems.append(future)
    for i, e in enumerate(cmd.above_size_enterprises):
        if e.date > month.last_day:
            problems.append(
                Refusal(
                    f"above_size_enterprises.{i}.date",
                    RefusalRule.DATE_AFTER_MONTH,
                    f"{e.name} entered on {e.date}, after {month} ended ({month.last_day}); "
                    "report it in the return of its own month",
                    {"date": e.date.isoformat(), "month_end": month.last_day.isoformat()},
                )
            )
    return problems


async def submit_unit_return(
    *, uow: ProgressUnitOfWork, cmd: SubmitUnitReturn, now: datetime, principal: Principal
) -> UnitReturnOut:
    """Record a unit's return for a month; another one for the same month is its next revision (R9)."""
    forbid_other_unit(principal, cmd.unit_code)
    month = Month.parse(cmd.month)
    ctx = await uow.unit_returns.context(cmd.unit_code, month)
    problems = _refusals(cmd, month, known=ctx.known, now=now)
    if problems:
        raise refused(problems)
    revision = ctx.revision + 1
    late = is_late(month, now, ctx.policy)
    row: dict[str, Any] = {
        "unit_code": cmd.unit_code,
        "month": str(month),
        "revision": revision,
        "above_size_enterprises": [e.model_dump(mode="json") for e in cmd.above_size_enterprises],
        "note": cmd.note,
        "late": late,
        "submitted_at": now,
        "submitted_by": principal.sub,
    }
    try:
        await uow.unit_returns.add(row)
    except AlreadyWritten as exc:
        raise conflict(
            f"another return of {cmd.unit_code} for {month} was saved meanwhile; send it again"
        ) from exc
    enterprises = list(cmd.above_size_enterprises)
    uow.emit(
        UnitReturnSubmitted(
            unit_code=cmd.unit_code,
            month=str(month),
            revision=revision,
            above_size_enterprises=enterprises,
            submitted_at=now,
            submitted_by=principal.sub,
            late=late,
        )
    )
    return UnitReturnOut(**{**row, "above_size_enterprises": enterprises})
