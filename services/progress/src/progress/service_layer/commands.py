"""The commands the progress handlers take: plain values the routes build from the checked requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from progress.domain.model import AnomalyStatus, ConstructionStatus, Month
from progress.events import Enterprise, Procedure


@dataclass(frozen=True, kw_only=True)
class ReportFigures:
    """The figures of a monthly report (万元) as the unit states them; R4 judges them."""

    investment_month: Decimal
    investment_ytd: Decimal
    investment_cumulative: Decimal
    construction_status: ConstructionStatus
    actual_start_date: date | None = None
    procedures: tuple[Procedure, ...] = ()
    stats_registered: bool = False
    stats_registered_on: date | None = None
    signed_amount: Decimal | None = None
    funds_in_place: Decimal | None = None
    narrative: str | None = None
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SubmitReport(ReportFigures):
    """Submit a project's report for a month (its first revision)."""

    project_id: str
    month: str  # YYYY-MM


@dataclass(frozen=True, kw_only=True)
class ReviseReport(ReportFigures):
    """Correct a report: its next revision, with the reason."""

    report_id: str
    reason: str


@dataclass(frozen=True)
class ReviewAnomaly:
    """Confirm (the figure must be corrected) or dismiss (it is right) a flagged figure."""

    anomaly_id: str
    status: AnomalyStatus
    note: str | None = None


@dataclass(frozen=True)
class SubmitUnitReturn:
    """A unit's monthly return (单位月报): enterprises newly above designated size (R9)."""

    unit_code: str
    month: str  # YYYY-MM
    above_size_enterprises: tuple[Enterprise, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class ReplacePolicy:
    """Replace the policy's numbers (R2–R5); absent ones keep their defaults."""

    data: Mapping[str, Any]


@dataclass(frozen=True)
class EvaluateLights:
    """Judge a month's lights now (R3); None: the latest closed month."""

    month: Month | None = None
