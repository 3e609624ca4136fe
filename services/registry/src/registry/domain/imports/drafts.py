"""What a checked row asks for: the fields of the command the same request to the API would carry.

Defaults are the API's own (a project starts as 谋划 `planned`, flags are false), so a row that leaves
a cell empty means what a request leaving the field out means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from registry.domain.model import Stage


@dataclass(frozen=True)
class CampaignDraft:
    id: str
    name: str
    start_date: date
    end_date: date
    description: str | None = None


@dataclass(frozen=True)
class UnitDraft:
    code: str
    name: str
    kind: str
    parent_code: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProcedureDraft:
    """One 前期手续 item of a project row."""

    item: str
    state: str
    date: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class ProjectDraft:
    name: str
    unit_code: str
    build_type: str
    total_investment: Decimal
    plan_year: int
    code: str | None = None
    stage: str = Stage.PLANNED
    is_industrial: bool = False
    is_private: bool = False
    key_level: str | None = None
    category: str | None = None
    annual_plan_investment: Decimal = Decimal(0)
    planned_start: date | None = None
    planned_completion: date | None = None
    signed_amount: Decimal | None = None
    funds_in_place: Decimal | None = None
    is_signed_project: bool = False
    stats_registered: bool = False
    stats_registered_on: date | None = None
    procedures: list[ProcedureDraft] = field(default_factory=list)
    campaign_id: str | None = None

    @classmethod
    def of(cls, fields: Mapping[str, Any]) -> ProjectDraft:
        """From the row's fields, its procedures given as mappings."""
        procedures = [ProcedureDraft(**p) for p in fields.get("procedures", [])]
        return cls(**{**fields, "procedures": procedures})


@dataclass(frozen=True)
class TargetDraft:
    metric: str
    period: str
    scope: str
    unit_code: str | None = None
    campaign_id: str | None = None
    value: Decimal | None = None
    baseline: Decimal | None = None
    growth_pct: Decimal | None = None
    note: str | None = None
