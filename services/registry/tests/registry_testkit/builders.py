"""Commands with sensible defaults, the principals who send them, and a world to start from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from diaodu_platform.auth import Principal, Role
from diaodu_platform.types import SHANGHAI
from registry.domain.model import BuildType, Metric, TargetScope, UnitKind
from registry.service_layer import campaigns, projects, units
from registry.service_layer.commands import (
    CreateCampaign,
    ProcedureLine,
    RegisterProject,
    RegisterUnit,
    SetTarget,
)
from registry_testkit.fakes import FakeRegistryUnitOfWork

NOW = datetime(2023, 11, 20, 9, 30, tzinfo=SHANGHAI)
ADMIN = Principal(sub="office-clerk", role=Role.admin)


def reporter(unit: str) -> Principal:
    """A 责任单位 clerk who writes for `unit` only."""
    return Principal(sub=f"clerk-{unit}", role=Role.reporter, unit=unit)


def a_unit(code: str = "beiliu", name: str = "北留镇", **fields: Any) -> RegisterUnit:
    return RegisterUnit(code=code, name=name, kind=fields.pop("kind", UnitKind.TOWNSHIP), **fields)


def a_project(
    unit_code: str = "beiliu", name: str = "皇城相府文旅综合开发项目", **fields: Any
) -> RegisterProject:
    values: dict[str, Any] = {
        "build_type": BuildType.NEW,
        "total_investment": Decimal("120000.50"),
        "annual_plan_investment": Decimal(30000),
        "plan_year": 2023,
        "planned_start": date(2023, 11, 15),
        "procedures": (
            ProcedureLine("approval", "done", date(2023, 10, 1)),
            ProcedureLine("land", "required"),
        ),
    }
    values.update(fields)
    return RegisterProject(name=name, unit_code=unit_code, **values)


def a_campaign(
    campaign_id: str = "yangcheng-2023-winter", name: str = "阳城县2023年项目建设冬季行动"
) -> CreateCampaign:
    return CreateCampaign(campaign_id, name, date(2023, 11, 1), date(2024, 2, 20))


def a_target(unit_code: str | None = None, value: str | None = "45000", **fields: Any) -> SetTarget:
    values: dict[str, Any] = {
        "metric": Metric.FIXED_ASSET_INVESTMENT,
        "period": "2023Q4",
        "scope": TargetScope.UNIT if unit_code else TargetScope.REGION,
        "unit_code": unit_code,
        "value": Decimal(value) if value is not None else None,
    }
    values.update(fields)
    return SetTarget(**values)


async def world(
    *, unit_codes: tuple[str, ...] = ("beiliu",), campaign: bool = False
) -> FakeRegistryUnitOfWork:
    """A fake registry holding these units (named after their codes) and, if asked, the 2023 winter campaign;
    the events of setting it up are forgotten."""
    uow = FakeRegistryUnitOfWork()
    async with uow:
        for code in unit_codes:
            await units.register_unit(uow=uow, cmd=a_unit(code, f"{code}镇"), now=NOW)
        if campaign:
            await campaigns.create_campaign(uow=uow, cmd=a_campaign(), now=NOW)
    uow.published.clear()
    return uow


async def registered_project(uow: FakeRegistryUnitOfWork, **fields: Any) -> str:
    """Register a project as the office would and return its id (its event is forgotten)."""
    async with uow:
        snap = await projects.register_project(uow=uow, cmd=a_project(**fields), now=NOW, principal=ADMIN)
    uow.published.clear()
    return snap.project_id
