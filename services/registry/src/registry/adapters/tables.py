"""The registry's tables (SQLModel), in a metadata of its own beside the platform tables.

Timestamps are set by the handler that writes the row, from the service's clock (`now`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from diaodu_platform.columns import json_list_field, money_field, timestamp_field
from diaodu_platform.db import PlatformTables


class RegistryModel(SQLModel, registry=registry()):
    pass


metadata = RegistryModel.metadata
platform = PlatformTables(metadata)


class Unit(RegistryModel, table=True):
    """责任单位."""

    __tablename__ = "units"
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(index=True, unique=True, max_length=200)
    kind: str = Field(max_length=20, index=True)
    parent_code: str | None = Field(default=None, foreign_key="units.code", max_length=64)
    aliases: list[str] = json_list_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Leader(RegistryModel, table=True):
    """包联领导."""

    __tablename__ = "leaders"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    title: str | None = Field(default=None, max_length=200)
    created_at: datetime = timestamp_field()


class LeaderAssignment(RegistryModel, table=True):
    __tablename__ = "leader_assignments"
    __table_args__ = (UniqueConstraint("leader_id", "unit_code", "project_id", "role", name="uq_assignment"),)
    id: int | None = Field(default=None, primary_key=True)
    leader_id: str = Field(foreign_key="leaders.id", index=True, max_length=64)
    unit_code: str | None = Field(default=None, foreign_key="units.code", index=True, max_length=64)
    project_id: str | None = Field(default=None, foreign_key="projects.id", index=True, max_length=64)
    role: str = Field(max_length=20)
    created_at: datetime = timestamp_field()


class Project(RegistryModel, table=True):
    """项目."""

    __tablename__ = "projects"
    id: str = Field(primary_key=True, max_length=64)
    code: str | None = Field(default=None, unique=True, max_length=64)
    name: str = Field(index=True, max_length=300)
    unit_code: str = Field(foreign_key="units.code", index=True, max_length=64)
    stage: str = Field(index=True, max_length=20)
    build_type: str = Field(max_length=20)
    is_industrial: bool = False
    is_private: bool = False
    key_level: str | None = Field(default=None, max_length=20, index=True)
    category: str | None = Field(default=None, max_length=100)
    total_investment: Decimal = money_field()
    annual_plan_investment: Decimal = money_field()
    plan_year: int
    planned_start: date | None = None
    planned_completion: date | None = None
    signed_amount: Decimal | None = money_field(nullable=True)
    funds_in_place: Decimal | None = money_field(nullable=True)
    is_signed_project: bool = False
    stats_registered: bool = False
    stats_registered_on: date | None = None
    procedures: list[dict[str, Any]] = json_list_field()
    campaign_id: str | None = Field(default=None, foreign_key="campaigns.id", max_length=64)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class StageChange(RegistryModel, table=True):
    """The lifecycle history of a project."""

    __tablename__ = "project_stage_changes"
    id: int | None = Field(default=None, primary_key=True)
    project_id: str = Field(foreign_key="projects.id", index=True, max_length=64)
    from_stage: str = Field(max_length=20)
    to_stage: str = Field(max_length=20)
    reason: str | None = None
    changed_by: str = Field(max_length=200)
    changed_at: datetime = timestamp_field()


class Campaign(RegistryModel, table=True):
    """行动: a named window with its own targets."""

    __tablename__ = "campaigns"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(unique=True, max_length=200)
    start_date: date
    end_date: date
    description: str | None = None
    created_at: datetime = timestamp_field()


class Target(RegistryModel, table=True):
    """目标任务 for the region (unit_code empty) or one unit, per metric and period."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint(
            "metric",
            "period",
            "scope",
            "unit_code",
            "campaign_id",
            name="uq_target",
            postgresql_nulls_not_distinct=True,
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    metric: str = Field(max_length=60, index=True)
    period: str = Field(max_length=20, index=True)
    scope: str = Field(max_length=10)
    unit_code: str | None = Field(default=None, foreign_key="units.code", index=True, max_length=64)
    campaign_id: str | None = Field(default=None, foreign_key="campaigns.id", max_length=64)
    value: Decimal = money_field()
    baseline: Decimal | None = money_field(nullable=True)
    growth_pct: Decimal | None = money_field(nullable=True)
    note: str | None = None
    updated_at: datetime = timestamp_field()
