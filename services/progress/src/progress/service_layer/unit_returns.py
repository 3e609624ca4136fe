"""Unit-level monthly return (单位月报): enterprises newly above designated size (新增入规企业, R9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from diaodu_platform.auth import Principal, forbid_other_unit
from diaodu_platform.errors import conflict
from diaodu_platform.outbox import Outbox
from progress.adapters.tables import unit_returns
from progress.domain.deadlines import is_late
from progress.domain.model import Month, RefusalRule
from progress.domain.validation import Refusal, check_month
from progress.entrypoints import schemas as s
from progress.events import UnitReturnSubmitted
from progress.service_layer.policy import policy_from_data
from progress.service_layer.reports import refused

_CONTEXT = text("""
SELECT EXISTS (SELECT 1 FROM units WHERE code = :unit_code) AS known,
       (SELECT max(revision) FROM unit_returns WHERE unit_code = :unit_code AND month = :month) AS revision,
       (SELECT data FROM progress_policy WHERE id = 1) AS policy
""")


async def submit_unit_return(
    *, conn: AsyncConnection, outbox: Outbox, principal: Principal, data: s.UnitReturnIn, now: datetime
) -> s.UnitReturnOut:
    """Record a unit's return for a month; a second one for the same month is its next revision."""
    forbid_other_unit(principal, data.unit_code)
    month = Month.parse(data.month)
    ctx = (await conn.execute(_CONTEXT, {"unit_code": data.unit_code, "month": str(month)})).one()
    problems: list[Refusal] = []
    if not ctx.known:
        problems.append(
            Refusal(
                "unit_code",
                RefusalRule.UNREGISTERED_UNIT,
                f"unit {data.unit_code} is not registered; check the code",
                {"unit_code": data.unit_code},
            )
        )
    future = check_month(month, now)
    if future:
        problems.append(future)
    for i, e in enumerate(data.above_size_enterprises):
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
    if problems:
        raise refused(problems)
    policy = policy_from_data(ctx.policy)
    revision = int(ctx.revision or 0) + 1
    late = is_late(month, now, policy)
    enterprises = [e.model_dump(mode="json") for e in data.above_size_enterprises]
    row: dict[str, Any] = {
        "unit_code": data.unit_code,
        "month": str(month),
        "revision": revision,
        "above_size_enterprises": enterprises,
        "note": data.note,
        "late": late,
        "submitted_at": now,
        "submitted_by": principal.sub,
    }
    try:
        await conn.execute(insert(unit_returns), row)
    except IntegrityError as exc:
        raise conflict(
            f"another return of {data.unit_code} for {month} was saved meanwhile; send it again"
        ) from exc
    await outbox.add(
        conn,
        UnitReturnSubmitted(
            unit_code=data.unit_code,
            month=str(month),
            revision=revision,
            above_size_enterprises=list(data.above_size_enterprises),
            submitted_at=now,
            submitted_by=principal.sub,
            late=late,
        ),
    )
    return s.UnitReturnOut(**{**row, "above_size_enterprises": data.above_size_enterprises})
