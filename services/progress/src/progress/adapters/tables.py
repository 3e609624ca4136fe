"""The progress service's tables: its projection of the registry, reports and their revisions,
anomalies, unit returns, deadline facts and the last light of each subject. Every timestamp is set
by its writer (from the service's clock or the event's time), never by a wall-clock default.

The projection has no foreign keys: units and projects arrive on different partitions, so a
project may be projected before its unit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, Table, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from diaodu_platform.columns import json_list_field, money_field, timestamp_field
from diaodu_platform.db import PlatformTables


class ProgressModel(SQLModel, registry=registry()):
    pass


metadata = ProgressModel.metadata
platform = PlatformTables(metadata)


# --- projection of diaodu.registry.v1 ------------------------------------------------------------


class UnitView(ProgressModel, table=True):
    """责任单位 as the registry last described it."""

    __tablename__ = "units"
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    parent_code: str | None = Field(default=None, max_length=64)
    aliases: list[str] = json_list_field()
    updated_at: datetime = timestamp_field()


class ProjectView(ProgressModel, table=True):
    """项目 as of its newest registry snapshot (`version` guards against older deliveries)."""

    __tablename__ = "projects"
    id: str = Field(primary_key=True, max_length=64)
    code: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=300)
    unit_code: str = Field(index=True, max_length=64)
    stage: str = Field(max_length=20)
    build_type: str = Field(max_length=20)
    is_industrial: bool = False
    is_private: bool = False
    key_level: str | None = Field(default=None, max_length=20)
    total_investment: Decimal = money_field()
    annual_plan_investment: Decimal = money_field()
    plan_year: int
    planned_start: date | None = None
    planned_completion: date | None = None
    is_signed_project: bool = False
    signed_amount: Decimal | None = money_field(nullable=True)
    funds_in_place: Decimal | None = money_field(nullable=True)
    stats_registered: bool = False
    stats_registered_on: date | None = None
    procedures: list[dict[str, Any]] = json_list_field()
    campaign_id: str | None = Field(default=None, max_length=64)
    version: int
    # When the registry registered it (the event's time): it owes reports from then on (R5).
    registered_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class CampaignView(ProgressModel, table=True):
    """行动 window, for the campaign schedule (R2)."""

    __tablename__ = "campaigns"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    start_date: date
    end_date: date


class TargetView(ProgressModel, table=True):
    """目标任务 by the registry's target id (unit lights compare investment with these, R3)."""

    __tablename__ = "targets"
    __table_args__ = (Index("ix_targets_lookup", "metric", "period", "unit_code"),)
    id: int = Field(primary_key=True)
    metric: str = Field(max_length=60)
    period: str = Field(max_length=20)
    scope: str = Field(max_length=10)
    unit_code: str | None = Field(default=None, max_length=64)
    campaign_id: str | None = Field(default=None, max_length=64)
    value: Decimal = money_field()
    updated_at: datetime = timestamp_field()


# --- the service's own state ---------------------------------------------------------------------


class PolicyRow(ProgressModel, table=True):
    """The progress policy (R2–R5 numbers) as data; one row, versioned."""

    __tablename__ = "progress_policy"
    id: int = Field(primary_key=True)
    version: int
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_by: str = Field(max_length=200)
    updated_at: datetime = timestamp_field()


class ReportRow(ProgressModel, table=True):
    """One revision of a project's monthly report; a report is its revisions under one report_id."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("project_id", "month", "revision", name="uq_report_project_month_revision"),
        Index("ix_reports_unit_month", "unit_code", "month"),
    )
    report_id: str = Field(primary_key=True, max_length=36)
    revision: int = Field(primary_key=True)
    project_id: str = Field(max_length=64)
    unit_code: str = Field(max_length=64)
    month: str = Field(max_length=7)
    investment_month: Decimal = money_field()
    investment_ytd: Decimal = money_field()
    investment_cumulative: Decimal = money_field()
    construction_status: str = Field(max_length=20)
    actual_start_date: date | None = None
    procedures: list[dict[str, Any]] = json_list_field()
    stats_registered: bool = False
    stats_registered_on: date | None = None
    signed_amount: Decimal | None = money_field(nullable=True)
    funds_in_place: Decimal | None = money_field(nullable=True)
    narrative: str | None = None
    attachments: list[str] = json_list_field()
    flags: list[str] = json_list_field()
    late: bool = False
    reason: str | None = None
    submitted_at: datetime = timestamp_field()
    submitted_by: str = Field(max_length=200)


class AnomalyRow(ProgressModel, table=True):
    """A flagged figure (R4) and its review."""

    __tablename__ = "anomalies"
    id: str = Field(primary_key=True, max_length=36)
    report_id: str = Field(index=True, max_length=36)
    revision: int
    project_id: str = Field(index=True, max_length=64)
    unit_code: str = Field(index=True, max_length=64)
    month: str = Field(max_length=7)
    rule: str = Field(max_length=40)
    detail: str
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    status: str = Field(default="open", index=True, max_length=20)
    review_note: str | None = None
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()


class UnitReturnRow(ProgressModel, table=True):
    """A unit's monthly return: 新增入规企业 by name and date (R9)."""

    __tablename__ = "unit_returns"
    unit_code: str = Field(primary_key=True, max_length=64)
    month: str = Field(primary_key=True, max_length=7)
    revision: int = Field(primary_key=True)
    above_size_enterprises: list[dict[str, Any]] = json_list_field()
    note: str | None = None
    late: bool = False
    submitted_at: datetime = timestamp_field()
    submitted_by: str = Field(max_length=200)


class DeadlineFact(ProgressModel, table=True):
    """What the deadline job emitted, once per (kind, month, subject) whatever the replicas do (R5)."""

    __tablename__ = "deadline_facts"
    kind: str = Field(primary_key=True, max_length=20)  # reminder | overdue
    month: str = Field(primary_key=True, max_length=7)
    subject: str = Field(primary_key=True, max_length=64)  # unit code (reminder) or project id (overdue)
    unit_code: str = Field(max_length=64)
    emitted_at: datetime = timestamp_field()


class LightState(ProgressModel, table=True):
    """The last light of each (scope, subject, kind): a light_changed event only when it differs."""

    __tablename__ = "light_states"
    scope: str = Field(primary_key=True, max_length=10)
    subject: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=20)
    unit_code: str = Field(max_length=64)
    month: str = Field(max_length=7)
    light: str = Field(max_length=10)
    gap_points: Decimal | None = money_field(nullable=True)
    reason: str
    updated_at: datetime = timestamp_field()


def table(model: type[SQLModel]) -> Table:
    t = model.__table__  # type: ignore[attr-defined]
    assert isinstance(t, Table)
    return t


units = table(UnitView)
projects = table(ProjectView)
campaigns = table(CampaignView)
targets = table(TargetView)
policy_rows = table(PolicyRow)
reports = table(ReportRow)
anomalies = table(AnomalyRow)
unit_returns = table(UnitReturnRow)
deadline_facts = table(DeadlineFact)
light_states = table(LightState)
