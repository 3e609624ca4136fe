"""Lights (亮灯, R3): judge every project and unit of a month, store and publish only the changes.

The last light of each subject is kept (light_states) in the same transaction as the light_changed
events, so two replicas or a repeated run never publish a change twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from progress.domain.deadlines import latest_closed_month
from progress.domain.lights import Verdict
from progress.domain.model import LightKind, LightScope, Month
from progress.domain.policy import Policy
from progress.events import LightChanged
from progress.service_layer.commands import EvaluateLights
from progress.service_layer.queries.monthly import month_view
from progress.service_layer.unit_of_work import ProgressUnitOfWork

Candidate = tuple[LightScope, str | None, str, LightKind, Verdict]


async def _candidates(uow: ProgressUnitOfWork, month: Month, policy: Policy) -> list[Candidate]:
    """Every light of the month: each required project's three, and each unit's."""
    candidates: list[Candidate] = []
    for um in await month_view(uow.conn, month=month, policy=policy):
        for pm in um.projects:
            if pm.required:
                candidates += [
                    (LightScope.PROJECT, pm.project.id, um.unit_code, kind, v)
                    for kind, v in pm.lights.items()
                ]
        candidates.append((LightScope.UNIT, None, um.unit_code, LightKind.UNIT, um.light))
    return candidates


async def update_lights(
    *, uow: ProgressUnitOfWork, month: Month, policy: Policy, now: datetime
) -> list[LightChanged]:
    """Judge every project and unit for `month`; store and emit only the lights that changed (R3)."""
    current = await uow.lights.current()
    changes: list[LightChanged] = []
    rows: list[dict[str, Any]] = []
    for scope, project_id, unit_code, kind, v in await _candidates(uow, month, policy):
        subject = project_id or unit_code
        previous = current.get((scope.value, subject, kind.value))
        if previous == v.light.value:
            continue
        rows.append(
            {
                "scope": scope.value,
                "subject": subject,
                "kind": kind.value,
                "unit_code": unit_code,
                "month": str(month),
                "light": v.light.value,
                "gap_points": v.gap_points,
                "reason": v.reason,
                "updated_at": now,
            }
        )
        changes.append(
            LightChanged(
                scope=scope,
                project_id=project_id,
                unit_code=unit_code,
                month=str(month),
                kind=kind,
                previous=previous,
                light=v.light,
                reason=v.reason,
                gap_points=v.gap_points,
            )
        )
    await uow.lights.save(rows)
    uow.emit(*changes)
    return changes


async def evaluate_lights(
    *, uow: ProgressUnitOfWork, cmd: EvaluateLights, now: datetime
) -> list[LightChanged]:
    """Judge a month now (default: the latest closed month) and publish the lights that changed (R3)."""
    policy, _ = await uow.policy.get()
    month = cmd.month or latest_closed_month(now, policy)
    return await update_lights(uow=uow, month=month, policy=policy, now=now)
