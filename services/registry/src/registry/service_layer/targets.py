"""Commands on targets (目标任务): set many at once, all or none (R1)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from diaodu_platform.errors import Problem
from registry.adapters.tables import Target
from registry.domain.targets import effective_value
from registry.events import TargetSet
from registry.service_layer.commands import SetTarget, UpsertTargets
from registry.service_layer.read_models import TargetsUpsertOut, target_out
from registry.service_layer.unit_of_work import RegistryUnitOfWork

TargetKey = tuple[str, str, str, str | None, str | None]  # metric, period, scope, unit, campaign


def _key(t: SetTarget | Target) -> TargetKey:
    return (str(t.metric), t.period, str(t.scope), t.unit_code, t.campaign_id)


async def _check_lines(uow: RegistryUnitOfWork, cmd: UpsertTargets) -> None:
    """Every line's unit and campaign exist and no line repeats another; 422 lists every bad line."""
    units, campaigns = await uow.units.codes(), await uow.campaigns.ids()
    errors: list[dict[str, Any]] = []
    seen: set[TargetKey] = set()
    for i, t in enumerate(cmd.targets):
        if _key(t) in seen:
            errors.append(
                {"field": f"targets.{i}", "message": "duplicate of an earlier line in this request"}
            )
        seen.add(_key(t))
        if t.unit_code and t.unit_code not in units:
            errors.append(
                {"field": f"targets.{i}.unit_code", "message": f"unit {t.unit_code!r} is not registered"}
            )
        if t.campaign_id and t.campaign_id not in campaigns:
            errors.append(
                {"field": f"targets.{i}.campaign_id", "message": f"campaign {t.campaign_id!r} does not exist"}
            )
    if errors:
        raise Problem(
            422,
            "Invalid targets",
            f"{len(errors)} target line(s) need correcting; nothing was saved",
            type_="/problems/validation",
            errors=errors,
        )


def _value(t: SetTarget) -> Decimal:
    """The number to reach: the stated value, or baseline × (1 + growth) for a growth target (R1)."""
    if t.value is not None:
        return t.value
    assert t.baseline is not None and t.growth_pct is not None  # checked by the request
    return effective_value(t.baseline, t.growth_pct)


def _target_set(r: Target) -> TargetSet:
    return TargetSet(
        target_id=r.id or 0,
        metric=r.metric,
        period=r.period,
        scope=r.scope,
        unit_code=r.unit_code,
        campaign_id=r.campaign_id,
        value=r.value,
        baseline=r.baseline,
        growth_pct=r.growth_pct,
        note=r.note,
    )


async def upsert_targets(*, uow: RegistryUnitOfWork, cmd: UpsertTargets, now: datetime) -> TargetsUpsertOut:
    """Bulk upsert 目标任务 by (metric, period, scope, unit, campaign); one event per real change (R1)."""
    await _check_lines(uow, cmd)
    metrics, periods = {str(t.metric) for t in cmd.targets}, {t.period for t in cmd.targets}
    existing = {_key(t): t for t in await uow.targets.matching(metrics, periods)}
    created: list[Target] = []
    updated = unchanged = 0
    rows: list[Target] = []
    changed_rows: list[Target] = []
    for t in cmd.targets:
        value = _value(t)
        row = existing.get(_key(t))
        if row is None:
            row = Target(
                metric=t.metric,
                period=t.period,
                scope=t.scope,
                unit_code=t.unit_code,
                campaign_id=t.campaign_id,
                value=value,
                baseline=t.baseline,
                growth_pct=t.growth_pct,
                note=t.note,
                updated_at=now,
            )
            created.append(row)
            changed_rows.append(row)
        elif (row.value, row.baseline, row.growth_pct, row.note) != (value, t.baseline, t.growth_pct, t.note):
            row.value, row.baseline, row.growth_pct, row.note = value, t.baseline, t.growth_pct, t.note
            row.updated_at = now
            updated += 1
            changed_rows.append(row)
        else:
            unchanged += 1
        rows.append(row)
    await uow.targets.add(created)
    uow.emit(*[_target_set(r) for r in changed_rows])
    return TargetsUpsertOut(
        created=len(created), updated=updated, unchanged=unchanged, targets=[target_out(r) for r in rows]
    )
