"""The import report: every problem by sheet, row and column, the R1 coverage, and what changes.

Plain data: the service layer answers it as the `ImportReport` read model (service_layer/read_models.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # blocks the commit
    WARNING = "warning"  # reported, never blocks (e.g. R1 totals that do not add up)
    INFO = "info"


@dataclass
class Issue:
    """One problem, located as a clerk finds it in the spreadsheet (row 1 is the header)."""

    severity: Severity
    code: str  # machine-readable kind, e.g. unknown_unit, bad_number, r1_under_allocated
    message: str
    sheet: str
    row: int | None = None
    column: str | None = None  # the column header as written in the file
    value: str | None = None
    suggestions: list[str] = field(default_factory=list)
    related_rows: list[int] = field(default_factory=list)


@dataclass
class CoverageRow:
    """R1 目标分解 of one campaign, metric and period, with the rows that hold its numbers."""

    campaign_id: str | None
    metric: str
    metric_label: str
    period: str
    regional_target: Decimal | None
    unit_sum: Decimal
    unit_count: int
    coverage: Decimal | None
    gap: Decimal | None
    flag: str
    severity: str
    regional_row: int | None
    unit_rows: list[int]


@dataclass
class SheetSummary:
    """What the import does (dry run) or did (commit) with one sheet."""

    kind: str
    sheet: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    kind: str
    filename: str
    dry_run: bool
    committed: bool = False
    error_count: int = 0
    warning_count: int = 0
    sheets: list[SheetSummary] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)
        self.error_count += issue.severity is Severity.ERROR
        self.warning_count += issue.severity is Severity.WARNING

    def error(self, sheet: str, message: str, *, code: str, **where: Any) -> None:
        self.add(Issue(severity=Severity.ERROR, code=code, message=message, sheet=sheet, **where))

    def warn(self, sheet: str, message: str, *, code: str, **where: Any) -> None:
        self.add(Issue(severity=Severity.WARNING, code=code, message=message, sheet=sheet, **where))

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def sort(self) -> None:
        """Issues in spreadsheet order: sheet as read, then row, then column."""
        order = {s.sheet: i for i, s in enumerate(self.sheets)}
        self.issues.sort(key=lambda i: (order.get(i.sheet, -1), i.row or 0, i.column or ""))
