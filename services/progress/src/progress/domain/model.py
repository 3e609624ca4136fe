"""Progress vocabulary (SPEC §3) and the reporting month (填报月份)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from diaodu_platform.vocabulary import BuildType as BuildType
from diaodu_platform.vocabulary import ConstructionStatus as ConstructionStatus
from diaodu_platform.vocabulary import ProcedureItem as ProcedureItem
from diaodu_platform.vocabulary import ProcedureState as ProcedureState
from diaodu_platform.vocabulary import Stage as Stage

# Statuses under which a project counts as started (开工) for R3 and R6.
WORKING_STATUSES = frozenset(
    {ConstructionStatus.STARTED, ConstructionStatus.RESUMED, ConstructionStatus.COMPLETED}
)


# 前期 and 在建 projects report every month (R5); 谋划/储备 have no progress yet, 竣工/取消 no longer.
REPORTING_STAGES = frozenset({Stage.PRELIMINARY, Stage.CONSTRUCTION})


class Light(StrEnum):
    """亮灯, ordered from best to worst."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


_LIGHT_ORDER = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


def worst(*lights: Light | None) -> Light:
    """The worst of the given lights (None = not applicable); green when none applies."""
    present = [x for x in lights if x is not None]
    return max(present, key=_LIGHT_ORDER.__getitem__) if present else Light.GREEN


class LightKind(StrEnum):
    INVESTMENT = "investment"  # 投资进度灯
    START = "start"  # 开工灯
    STATS = "stats"  # 入统灯
    UNIT = "unit"  # 单位综合灯


class LightScope(StrEnum):
    PROJECT = "project"
    UNIT = "unit"


class RefusalRule(StrEnum):
    """R4 rules that refuse a report (422)."""

    UNREGISTERED_PROJECT = "unregistered_project"
    FUTURE_MONTH = "future_month"
    NEGATIVE_FIGURE = "negative_figure"
    YTD_MISMATCH = "ytd_mismatch"
    CUMULATIVE_BELOW_YTD = "cumulative_below_ytd"
    STARTED_WITHOUT_DATE = "started_without_date"
    UNREGISTERED_UNIT = "unregistered_unit"  # unit returns
    DATE_AFTER_MONTH = "date_after_month"  # unit returns: an enterprise's date after the month


class FlagRule(StrEnum):
    """R4 rules that accept a report but flag it for review (anomaly_flagged)."""

    OVER_BUDGET = "over_budget"  # 超概算
    OUTLIER_MONTH = "outlier_month"
    PRE_SCORING_JUMP = "pre_scoring_jump"
    INVESTMENT_WHILE_NOT_STARTED = "investment_while_not_started"


class AnomalyStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"  # the figure was wrong: the unit must correct it
    DISMISSED = "dismissed"  # the figure is right


_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    """A reporting month, written `YYYY-MM`."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(text)
        if m is None:
            raise ValueError(f"month must be written YYYY-MM, got {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def day(self, n: int) -> date:
        """Day n of this month, clamped to its last day (day 31 of February is the 28th/29th)."""
        return date(self.year, self.month, max(1, min(n, self.days)))

    def plus(self, n: int) -> Month:
        index = self.year * 12 + (self.month - 1) + n
        return Month(index // 12, index % 12 + 1)

    def previous(self) -> Month:
        return self.plus(-1)

    def minus(self, other: Month) -> int:
        """Whole months from `other` to this month."""
        return (self.year - other.year) * 12 + (self.month - other.month)

    @property
    def year_start(self) -> Month:
        return Month(self.year, 1)
