"""Months, quarters and assessment windows ("YYYY-MM", "YYYYQn"), all pure."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_month(month: str) -> tuple[int, int]:
    """("2024-03") → (2024, 3); ValueError on anything else."""
    m = _MONTH.match(month)
    if not m:
        raise ValueError(f"month must look like YYYY-MM, got {month!r}")
    return int(m.group(1)), int(m.group(2))


def month_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def add_months(month: str, n: int) -> str:
    y, m = parse_month(month)
    index = y * 12 + (m - 1) + n
    return month_str(index // 12, index % 12 + 1)


def month_end(month: str) -> date:
    y, m = parse_month(month)
    return date(y, m, calendar.monthrange(y, m)[1])


def quarter_of(month: str) -> int:
    return (parse_month(month)[1] - 1) // 3 + 1


def parse_quarter(period: str) -> tuple[int, int]:
    """("2024Q1") → (2024, 1)."""
    m = _QUARTER.match(period)
    if not m:
        raise ValueError(f"quarter must look like YYYYQn, got {period!r}")
    return int(m.group(1)), int(m.group(2))


def quarter_end_month(year: int, quarter: int) -> str:
    return month_str(year, quarter * 3)


def previous_quarter(today: date) -> tuple[int, int]:
    """The last quarter that has fully ended on `today`."""
    q = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if q == 1 else (today.year, q - 1)


@dataclass(frozen=True)
class Window:
    """The months whose figures count towards one target period, and the target's period string.

    `first`..`last` are inclusive; `last` is the assessed month. Cumulative figures (签约额, 到位资金)
    count their growth since the month before `first`; investment counts its year-to-date growth.
    """

    period: str
    first: str
    last: str

    @property
    def base_month(self) -> str:
        """The month whose figures are subtracted (the one before the window)."""
        return add_months(self.first, -1)


def window_for(month: str, target_period: str) -> Window:
    """How the target period is chosen for an assessed month (policy `target_period`).

    - "year" (default): the annual target (period "YYYY"), measured year-to-date to the month.
    - "quarter": the target of the month's quarter (period "YYYYQn"), measured from the quarter's
      first month to the assessed month.
    """
    y, m = parse_month(month)
    if target_period == "year":
        return Window(period=str(y), first=month_str(y, 1), last=month)
    if target_period == "quarter":
        q = (m - 1) // 3 + 1
        return Window(period=f"{y}Q{q}", first=month_str(y, (q - 1) * 3 + 1), last=month)
    raise ValueError(f"target_period must be 'year' or 'quarter', got {target_period!r}")


_HALF = re.compile(r"^(\d{4})H([12])$")
_YEAR = re.compile(r"^(\d{4})$")


def period_months(period: str) -> tuple[str, str] | None:
    """First and last month of a target period ("YYYY", "YYYYQn", "YYYYHn", "YYYY-MM"); None if unknown."""
    if m := _YEAR.match(period):
        y = int(m.group(1))
        return month_str(y, 1), month_str(y, 12)
    if m := _QUARTER.match(period):
        y, q = int(m.group(1)), int(m.group(2))
        return month_str(y, q * 3 - 2), month_str(y, q * 3)
    if m := _HALF.match(period):
        y, h = int(m.group(1)), int(m.group(2))
        return month_str(y, h * 6 - 5), month_str(y, h * 6)
    if _MONTH.match(period):
        return period, period
    return None


def months_between(first: str, last: str) -> int:
    """Inclusive count of months from `first` to `last` (0 if last is before first)."""
    (y1, m1), (y2, m2) = parse_month(first), parse_month(last)
    return max(0, (y2 * 12 + m2) - (y1 * 12 + m1) + 1)
