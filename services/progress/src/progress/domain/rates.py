"""Rates (R6) of a unit or the region at a date, from each project's state as of that date.

复工率 = continuing projects started or resumed / continuing projects.
新建开工率 = new projects started / new projects planned to start in the period.
开复工率 = (started new + resumed continuing) / (planned new + continuing).
手续办结率 = procedures done / procedures required, over projects planned to start in the period.
入统率 = started projects stats-registered / started projects.
The period runs from its start (1 January, or a campaign's first day) to the date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from progress.domain.model import WORKING_STATUSES, BuildType, ConstructionStatus, ProcedureState

_RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class ProjectState:
    """A project as of the date: its latest reported status, registration and procedures."""

    project_id: str
    build_type: str
    planned_start: date | None
    status: str | None  # None: never reported (counts as not started)
    stats_registered: bool
    procedure_states: tuple[str, ...] = ()

    @property
    def working(self) -> bool:
        return self.status is not None and ConstructionStatus(self.status) in WORKING_STATUSES


@dataclass(frozen=True)
class Rate:
    name: str
    label: str
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return (Decimal(self.numerator) / self.denominator).quantize(_RATIO, rounding=ROUND_HALF_UP)


def _planned_in(p: ProjectState, start: date, end: date) -> bool:
    return p.planned_start is not None and start <= p.planned_start <= end


def rates(projects: Iterable[ProjectState], *, period_start: date, at: date) -> list[Rate]:
    """The five R6 rates over the given projects (one unit's, or the whole region's)."""
    ps = list(projects)
    continuing = [p for p in ps if p.build_type == BuildType.CONTINUING]
    planned_new = [p for p in ps if p.build_type == BuildType.NEW and _planned_in(p, period_start, at)]
    planned_any = [p for p in ps if _planned_in(p, period_start, at)]
    started = [p for p in ps if p.working]
    resumed = sum(p.working for p in continuing)
    started_new = sum(p.working for p in planned_new)
    states = [s for p in planned_any for s in p.procedure_states if s != ProcedureState.NOT_REQUIRED]
    return [
        Rate("restart_rate", "复工率", resumed, len(continuing)),
        Rate("new_start_rate", "新建开工率", started_new, len(planned_new)),
        Rate("start_rate", "开复工率", started_new + resumed, len(planned_new) + len(continuing)),
        Rate(
            "procedure_completion_rate",
            "手续办结率",
            sum(s == ProcedureState.DONE for s in states),
            len(states),
        ),
        Rate("stats_rate", "入统率", sum(p.stats_registered for p in started), len(started)),
    ]
