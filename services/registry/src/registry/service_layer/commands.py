"""The commands the registry's handlers take: plain data, whoever sends them (a route, an import row).

The API's request models (entrypoints/schemas.py) check a request and turn it into one of these; the
spreadsheet import gets each row's command from the same models (`validate_row`, service_layer/imports.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from registry.domain.model import Stage


@dataclass(frozen=True)
class RegisterUnit:
    """Register a 责任单位."""

    code: str
    name: str
    kind: str
    parent_code: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateUnit:
    """Change a unit's name, kind, parent or aliases: only the fields given in `changes`."""

    code: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class AddLeader:
    """Add a 包联领导."""

    id: str
    name: str
    title: str | None = None


@dataclass(frozen=True)
class AssignLeader:
    """Assign a leader to a unit and/or a project, as 包联 or 分管."""

    leader_id: str
    unit_code: str | None = None
    project_id: str | None = None
    role: str = "包联"


@dataclass(frozen=True)
class ProcedureLine:
    """One 前期手续 item of a project."""

    item: str
    state: str
    date: dt.date | None = None
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        """As the project stores it and its events carry it."""
        when = self.date.isoformat() if self.date else None
        return {"item": str(self.item), "state": str(self.state), "date": when, "note": self.note}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> ProcedureLine:
        """As `as_json` wrote it."""
        when = stored.get("date")
        day = dt.date.fromisoformat(when) if when else None
        return cls(stored["item"], stored["state"], day, stored.get("note"))


@dataclass(frozen=True)
class RegisterProject:
    """Register a project (项目入库) for a unit."""

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
    procedures: tuple[ProcedureLine, ...] = ()
    campaign_id: str | None = None


@dataclass(frozen=True)
class UpdateProject:
    """Change a project's attributes: only the fields given in `changes` (procedures as ProcedureLines)."""

    project_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class ChangeStage:
    """Move a project along its lifecycle (谋划 → 储备 → 前期 → 在建 → 竣工, or 取消)."""

    project_id: str
    stage: Stage
    reason: str | None = None


@dataclass(frozen=True)
class CreateCampaign:
    """Create a 行动 window."""

    id: str
    name: str
    start_date: date
    end_date: date
    description: str | None = None


@dataclass(frozen=True)
class SetTarget:
    """One 目标任务; a growth target (同比增长) gives baseline and growth_pct and may omit value."""

    metric: str
    period: str
    scope: str
    unit_code: str | None = None
    campaign_id: str | None = None
    value: Decimal | None = None
    baseline: Decimal | None = None
    growth_pct: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class UpsertTargets:
    """Set many targets at once: all or none (R1)."""

    targets: tuple[SetTarget, ...]


@dataclass(frozen=True)
class ImportFile:
    """Check an uploaded spreadsheet and, unless it is a dry run, apply it (导入)."""

    kind: str
    filename: str
    content: bytes
    dry_run: bool = True
