"""The scoring service's tables (SQLAlchemy Core), in a metadata of its own beside the platform tables.

Projections of other services' events are append-only facts: every stored input row keeps the
`ce_id` of the event it came from and `occurred_at` (the event's ce_time), so that a ranking can be
explained line by line and recomputed with the data as of any date.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from diaodu_platform.db import PlatformTables


class ScoringModel(SQLModel, registry=registry()):
    pass


metadata = ScoringModel.metadata
platform = PlatformTables(metadata)


def _money(name: str, nullable: bool = True) -> Column[object]:
    return Column(name, Numeric(16, 2), nullable=nullable)


def _event_cols() -> list[Column[object]]:
    return [
        Column("ce_id", String(120), nullable=False, unique=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False, index=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


# --- projections of registry events -------------------------------------------------------------

unit_facts = Table(
    "unit_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("unit_name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_code", String(64)),
    Column("aliases", JSONB, nullable=False),
    *_event_cols(),
)

leader_assignments = Table(
    "leader_assignments",
    metadata,
    Column("assignment_id", Integer, primary_key=True, autoincrement=False),
    Column("leader_id", String(64), nullable=False),
    Column("leader_name", String(100), nullable=False),
    Column("leader_title", String(200)),
    Column("unit_code", String(64), index=True),
    Column("project_id", String(64)),
    Column("role", String(20), nullable=False),
    *_event_cols(),
)

target_facts = Table(
    "target_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_id", Integer, nullable=False, index=True),
    Column("metric", String(60), nullable=False),
    Column("period", String(20), nullable=False),
    Column("scope", String(10), nullable=False),
    Column("unit_code", String(64), index=True),
    Column("campaign_id", String(64)),
    _money("value", nullable=False),
    *_event_cols(),
)

project_versions = Table(
    "project_versions",
    metadata,
    Column("project_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("build_type", String(20), nullable=False),
    Column("is_industrial", Boolean, nullable=False),
    Column("is_private", Boolean, nullable=False),
    Column("key_level", String(20)),
    _money("total_investment", nullable=False),
    _money("annual_plan_investment", nullable=False),
    Column("plan_year", Integer, nullable=False),
    Column("planned_start", Date),
    _money("signed_amount"),
    _money("funds_in_place"),
    Column("is_signed_project", Boolean, nullable=False),
    Column("stats_registered", Boolean, nullable=False),
    *_event_cols(),
    PrimaryKeyConstraint("project_id", "version", name="pk_project_versions"),
)

stage_changes = Table(
    "stage_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", String(64), nullable=False, index=True),
    Column("unit_code", String(64), nullable=False),
    Column("from_stage", String(20), nullable=False),
    Column("to_stage", String(20), nullable=False),
    *_event_cols(),
)

# --- projections of progress events -------------------------------------------------------------

reports = Table(
    "reports",
    metadata,
    Column("report_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("project_id", String(64), nullable=False, index=True),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("month", String(7), nullable=False, index=True),
    _money("investment_month", nullable=False),
    _money("investment_ytd", nullable=False),
    _money("investment_cumulative"),
    Column("construction_status", String(20), nullable=False),
    Column("actual_start_date", Date),
    Column("stats_registered", Boolean, nullable=False),
    _money("signed_amount"),
    _money("funds_in_place"),
    Column("reason", Text),
    Column("ce_type", String(200), nullable=False),
    *_event_cols(),
    PrimaryKeyConstraint("report_id", "revision", name="pk_reports"),
)

unit_returns = Table(
    "unit_returns",
    metadata,
    Column("unit_code", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("above_size_enterprises", JSONB, nullable=False),
    *_event_cols(),
    PrimaryKeyConstraint("unit_code", "month", "revision", name="pk_unit_returns"),
)

# --- projection of escalation events ------------------------------------------------------------

problems = Table(
    "problems",
    metadata,
    Column("problem_id", String(64), primary_key=True),
    Column("project_id", String(64)),
    Column("owner_unit", String(64), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("level", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("breaches", Integer, nullable=False, server_default="0"),
    Column("escalations", Integer, nullable=False, server_default="0"),
    Column("last_event_id", String(120), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)

# --- the service's own state --------------------------------------------------------------------

policies = Table(
    "policies",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("effective_from", String(7)),
    Column("body", JSONB, nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

rankings = Table(
    "rankings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("data_as_of", DateTime(timezone=True)),
    Column("policy", JSONB, nullable=False),
    Column("ranking", JSONB, nullable=False),
    UniqueConstraint("month", "policy_version", name="uq_ranking_month_policy"),
)

scorecards = Table(
    "scorecards",
    metadata,
    Column("ranking_id", Integer, nullable=False),
    Column("unit_code", String(64), nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("total_score", Numeric(10, 2), nullable=False),
    Column("scorecard", JSONB, nullable=False),
    Column("inputs", JSONB, nullable=False),
    PrimaryKeyConstraint("ranking_id", "unit_code", name="pk_scorecards"),
)

interviews = Table(
    "interviews",
    metadata,
    Column("ranking_id", Integer, nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("leaders", JSONB, nullable=False),
    PrimaryKeyConstraint("ranking_id", "unit_code", name="pk_interviews"),
)

milestone_runs = Table(
    "milestone_runs",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("ran_at", DateTime(timezone=True), nullable=False),
)

milestone_checks = Table(
    "milestone_checks",
    metadata,
    Column("scope_key", String(64), nullable=False),
    Column("period", String(7), nullable=False),
    Column("metric", String(60), nullable=False),
    Column("missed", Boolean, nullable=False),
    _money("annual_target", nullable=False),
    Column("expected_share", Numeric(8, 4), nullable=False),
    Column("actual", Numeric(16, 2), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("scope_key", "period", "metric", name="pk_milestone_checks"),
)
