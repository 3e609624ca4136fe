"""Commands on units (责任单位): register one, change its name, kind, parent or aliases."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.errors import conflict, not_found, unprocessable
from registry.adapters.tables import Unit
from registry.events import UnitRegistered, UnitUpdated
from registry.service_layer.commands import RegisterUnit, UpdateUnit
from registry.service_layer.read_models import UnitOut, unit_out
from registry.service_layer.unit_of_work import RegistryUnitOfWork


async def require_unit(uow: RegistryUnitOfWork, code: str, field: str = "unit_code") -> Unit:
    """The registered unit, or 422 on the field that names it."""
    unit = await uow.units.get(code)
    if unit is None:
        raise unprocessable(field, f"unit {code!r} is not registered; register it first or check the code")
    return unit


async def register_unit(*, uow: RegistryUnitOfWork, cmd: RegisterUnit, now: datetime) -> UnitOut:
    """Register a 责任单位; its code and its name are each one unit's only."""
    if await uow.units.get(cmd.code):
        raise conflict(f"unit code {cmd.code!r} is already registered")
    if await uow.units.code_named(cmd.name):
        raise conflict(f"a unit named {cmd.name!r} is already registered")
    if cmd.parent_code:
        await require_unit(uow, cmd.parent_code, "parent_code")
    unit = Unit(
        code=cmd.code,
        name=cmd.name,
        kind=cmd.kind,
        parent_code=cmd.parent_code,
        aliases=list(cmd.aliases),
        created_at=now,
        updated_at=now,
    )
    uow.units.add(unit)
    uow.emit(
        UnitRegistered(
            unit_code=unit.code,
            unit_name=unit.name,
            kind=unit.kind,
            parent_code=unit.parent_code,
            aliases=list(unit.aliases),
        )
    )
    return unit_out(unit)


async def update_unit(*, uow: RegistryUnitOfWork, cmd: UpdateUnit, now: datetime) -> UnitOut:
    """Change a unit's attributes; an event names the fields that really changed."""
    unit = await uow.units.get(cmd.code)
    if unit is None:
        raise not_found("unit", cmd.code)
    changes = dict(cmd.changes)
    if changes.get("parent_code"):
        if changes["parent_code"] == cmd.code:
            raise unprocessable("parent_code", "a unit cannot be its own parent")
        await require_unit(uow, changes["parent_code"], "parent_code")
    changed = [k for k, v in changes.items() if getattr(unit, k) != v]
    if not changed:
        return unit_out(unit)
    for key in changed:
        setattr(unit, key, changes[key])
    unit.updated_at = now
    uow.emit(
        UnitUpdated(
            unit_code=unit.code,
            unit_name=unit.name,
            kind=unit.kind,
            parent_code=unit.parent_code,
            aliases=list(unit.aliases),
            changed=changed,
        )
    )
    return unit_out(unit)
