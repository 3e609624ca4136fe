"""The progress policy: every number R2–R5 leave configurable, with the SPEC's defaults, and its JSON."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ScheduleCurve(StrEnum):
    LINEAR = "linear"  # m/12 (R2 default)
    MILESTONE = "milestone"  # quarter-end milestones, interpolated by month (the Yangquan seed)


@dataclass(frozen=True)
class Policy:
    """Configurable numbers of R2 (schedule), R3 (lights), R4 (flags) and R5 (reporting window)."""

    # R5: the month's report is due by this day (None = the last day of the month).
    due_day: int | None = None
    reminder_days_before: int = 3
    # R2: linear m/12, or milestone shares at the end of Q1..Q4 in percent.
    schedule_curve: ScheduleCurve = ScheduleCurve.LINEAR
    milestones: tuple[Decimal, Decimal, Decimal, Decimal] = (
        Decimal(18),
        Decimal(50),
        Decimal(80),
        Decimal(100),
    )
    # R3 investment light: green gap < yellow_from, yellow up to red_above (inclusive), red beyond.
    yellow_from_points: Decimal = Decimal(10)
    red_above_points: Decimal = Decimal(30)
    # R3 start light: yellow once the planned month passes without a start, red this many months later.
    start_red_after_months: int = 3
    # R3 入统 light: yellow this many months after the start without registration, red at the second.
    stats_yellow_after_months: int = 1
    stats_red_after_months: int = 2
    # R3 unit light: consecutive months with missing reports for yellow and red.
    missing_yellow_months: int = 1
    missing_red_months: int = 2
    # R4 flags.
    outlier_factor: Decimal = Decimal(3)
    outlier_min_months: int = 3
    scoring_day: int = 25  # R9 assessment day
    pre_scoring_window_days: int = 5
    pre_scoring_jump_factor: Decimal = Decimal(2)

    def __post_init__(self) -> None:
        problems = []
        if self.due_day is not None and not 1 <= self.due_day <= 31:
            problems.append("due_day must be 1..31 (or empty for the last day of the month)")
        if self.reminder_days_before < 0:
            problems.append("reminder_days_before must not be negative")
        if not 1 <= self.scoring_day <= 31:
            problems.append("scoring_day must be 1..31")
        ms = list(self.milestones)
        if len(ms) != 4 or ms != sorted(ms) or ms[0] < 0 or ms[-1] != 100:
            problems.append("milestones must be four rising percentages ending at 100, e.g. 18/50/80/100")
        if not 0 <= self.yellow_from_points <= self.red_above_points:
            problems.append("yellow_from_points must be between 0 and red_above_points")
        if self.stats_red_after_months < self.stats_yellow_after_months:
            problems.append("stats_red_after_months must not be below stats_yellow_after_months")
        if self.missing_red_months < self.missing_yellow_months or self.missing_yellow_months < 1:
            problems.append("missing_yellow_months must be ≥ 1 and missing_red_months ≥ it")
        if self.outlier_factor <= 1 or self.pre_scoring_jump_factor <= 1:
            problems.append("outlier_factor and pre_scoring_jump_factor must be above 1")
        if problems:
            raise ValueError("; ".join(problems))


_DECIMALS = {"yellow_from_points", "red_above_points", "outlier_factor", "pre_scoring_jump_factor"}


def policy_from_data(data: dict[str, Any] | None) -> Policy:
    """A Policy from its stored JSON; absent keys keep their defaults."""
    if not data:
        return Policy()
    known = {f.name for f in dataclasses.fields(Policy)}
    kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
    for k in _DECIMALS & kwargs.keys():
        kwargs[k] = Decimal(str(kwargs[k]))
    if "milestones" in kwargs:
        kwargs["milestones"] = tuple(Decimal(str(x)) for x in kwargs["milestones"])
    if "schedule_curve" in kwargs:
        kwargs["schedule_curve"] = ScheduleCurve(kwargs["schedule_curve"])
    return Policy(**kwargs)


def policy_to_data(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(policy):
        value = getattr(policy, f.name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = [str(x) for x in value]
        elif isinstance(value, ScheduleCurve):
            value = value.value
        out[f.name] = value
    return out
