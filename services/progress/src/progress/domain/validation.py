"""确保数据真实 (R4): refuse reports that cannot be right, flag those that look wrong.

A refusal names the rule and the numbers so a clerk can correct the figure; a suspicious but
possible figure is accepted and flagged for review, never refused (a refusal would push units
to report false figures).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from statistics import median
from typing import Any

from progress.domain.model import ConstructionStatus, FlagRule, Month, RefusalRule
from progress.domain.policy import Policy

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Figures:
    """The numbers of one report (万元)."""

    month: Month
    investment_month: Decimal
    investment_ytd: Decimal
    investment_cumulative: Decimal
    construction_status: ConstructionStatus
    actual_start_date: date | None
    signed_amount: Decimal | None = None
    funds_in_place: Decimal | None = None


@dataclass(frozen=True)
class History:
    """What the project already reported, read in the same query as the project itself."""

    total_investment: Decimal
    # Latest earlier report of the same year: its month and ytd (None in January or when none).
    earlier_month: Month | None = None
    earlier_ytd: Decimal | None = None
    # investment_month of every earlier month (current revisions), oldest first.
    earlier_months: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class Refusal:
    field: str
    rule: RefusalRule
    message: str
    numbers: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_error(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule.value, "message": self.message, **self.numbers}


@dataclass(frozen=True)
class Flag:
    rule: FlagRule
    detail: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    refusals: list[Refusal]
    flags: list[Flag]

    @property
    def accepted(self) -> bool:
        return not self.refusals


def _n(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def check_month(month: Month, now: datetime) -> Refusal | None:
    """A report may be for the current month or earlier, never for a month still to come."""
    current = Month.of(now.date())
    if month > current:
        return Refusal(
            "month",
            RefusalRule.FUTURE_MONTH,
            f"month {month} is in the future; reports can be made up to the current month {current}",
            {"month": str(month), "current_month": str(current)},
        )
    return None


def unregistered(project_id: str) -> Refusal:
    return Refusal(
        "project_id",
        RefusalRule.UNREGISTERED_PROJECT,
        f"project {project_id} is not registered (项目未入库); register it in the registry first, "
        "or check the id",
        {"project_id": project_id},
    )


def refusals(fig: Figures, hist: History) -> list[Refusal]:
    """Every R4 refusal that applies (all at once, so the clerk corrects the report in one go)."""
    out: list[Refusal] = []
    for name in (
        "investment_month",
        "investment_ytd",
        "investment_cumulative",
        "signed_amount",
        "funds_in_place",
    ):
        value = getattr(fig, name)
        if value is not None and value < 0:
            out.append(
                Refusal(
                    name,
                    RefusalRule.NEGATIVE_FIGURE,
                    f"{name} is {value} 万元; figures must be 0 or more",
                    {"value": float(value)},
                )
            )
    if fig.investment_ytd >= 0 and fig.investment_month >= 0:
        out.extend(_ytd_refusals(fig, hist))
    if fig.investment_cumulative >= 0 and fig.investment_cumulative < fig.investment_ytd:
        out.append(
            Refusal(
                "investment_cumulative",
                RefusalRule.CUMULATIVE_BELOW_YTD,
                f"cumulative investment {fig.investment_cumulative} 万元 is below this year's "
                f"{fig.investment_ytd} 万元; cumulative counts every year since the start, so it cannot "
                "be less",
                {
                    "investment_cumulative": float(fig.investment_cumulative),
                    "investment_ytd": float(fig.investment_ytd),
                },
            )
        )
    if fig.construction_status is ConstructionStatus.STARTED and fig.actual_start_date is None:
        out.append(
            Refusal(
                "actual_start_date",
                RefusalRule.STARTED_WITHOUT_DATE,
                "construction_status is started (已开工) but actual_start_date is empty; "
                "give the day construction started",
                {"construction_status": "started"},
            )
        )
    return out


def _ytd_refusals(fig: Figures, hist: History) -> list[Refusal]:
    month = fig.month
    numbers: dict[str, Any] = {
        "investment_ytd": float(fig.investment_ytd),
        "investment_month": float(fig.investment_month),
    }
    if month.month == 1 or hist.earlier_month is None or hist.earlier_ytd is None:
        # January, or the first report of the year: the ytd holds at least this month.
        numbers["previous_ytd"] = 0.0
        numbers["expected_ytd"] = float(fig.investment_month)
        if month.month == 1 and fig.investment_ytd != fig.investment_month:
            return [
                Refusal(
                    "investment_ytd",
                    RefusalRule.YTD_MISMATCH,
                    f"in January the ytd must equal this month: {fig.investment_ytd} ≠ "
                    f"{fig.investment_month} 万元",
                    numbers,
                )
            ]
        if fig.investment_ytd < fig.investment_month:
            return [
                Refusal(
                    "investment_ytd",
                    RefusalRule.YTD_MISMATCH,
                    f"ytd {fig.investment_ytd} 万元 is below this month's {fig.investment_month} 万元",
                    numbers,
                )
            ]
        return []
    expected = hist.earlier_ytd + fig.investment_month
    numbers.update(
        previous_month=str(hist.earlier_month),
        previous_ytd=float(hist.earlier_ytd),
        expected_ytd=float(expected),
    )
    if hist.earlier_month == month.previous():
        if fig.investment_ytd != expected:
            return [
                Refusal(
                    "investment_ytd",
                    RefusalRule.YTD_MISMATCH,
                    f"ytd must be {hist.earlier_month} ytd + this month = {hist.earlier_ytd} + "
                    f"{fig.investment_month} = {expected} 万元, not {fig.investment_ytd}; correct this "
                    f"month or revise the {hist.earlier_month} report first",
                    numbers,
                )
            ]
    elif fig.investment_ytd < expected:
        # A month in between was not reported: the ytd can only be larger than the sum we know.
        return [
            Refusal(
                "investment_ytd",
                RefusalRule.YTD_MISMATCH,
                f"ytd {fig.investment_ytd} 万元 is below {hist.earlier_month} ytd + this month = "
                f"{hist.earlier_ytd} + {fig.investment_month} = {expected} 万元",
                numbers,
            )
        ]
    return []


def flags(fig: Figures, hist: History, *, submitted_at: datetime, policy: Policy) -> list[Flag]:
    """R4 flags: accepted, but each is reviewed (anomaly_flagged)."""
    out: list[Flag] = []
    base = {
        "investment_month": _n(fig.investment_month),
        "investment_ytd": _n(fig.investment_ytd),
        "investment_cumulative": _n(fig.investment_cumulative),
    }
    if hist.total_investment > 0 and fig.investment_cumulative > hist.total_investment:
        over = fig.investment_cumulative - hist.total_investment
        out.append(
            Flag(
                FlagRule.OVER_BUDGET,
                f"超概算: cumulative {fig.investment_cumulative} 万元 exceeds the total investment "
                f"{hist.total_investment} 万元 by {over} 万元",
                {**base, "total_investment": _n(hist.total_investment), "over_by": _n(over)},
            )
        )
    out.extend(_median_flags(fig, hist, base, submitted_at=submitted_at, policy=policy))
    if fig.construction_status is ConstructionStatus.NOT_STARTED and fig.investment_month > _ZERO:
        out.append(
            Flag(
                FlagRule.INVESTMENT_WHILE_NOT_STARTED,
                f"{fig.investment_month} 万元 invested this month while the project is reported "
                "not started (未开工)",
                {**base, "construction_status": "not_started"},
            )
        )
    return out


def _median_flags(
    fig: Figures, hist: History, base: dict[str, Any], *, submitted_at: datetime, policy: Policy
) -> list[Flag]:
    """The flags that measure this month against the project's median month: outlier, pre-scoring jump."""
    out: list[Flag] = []
    positive = [m for m in hist.earlier_months if m > 0]
    med = Decimal(median(positive)) if positive else None
    if (
        med is not None
        and len(positive) >= policy.outlier_min_months
        and fig.investment_month > policy.outlier_factor * med
    ):
        out.append(
            Flag(
                FlagRule.OUTLIER_MONTH,
                f"this month {fig.investment_month} 万元 is more than {policy.outlier_factor}× the "
                f"project's median month {med} 万元",
                {
                    **base,
                    "median_month": _n(med),
                    "factor": _n(policy.outlier_factor),
                    "months_in_median": len(positive),
                },
            )
        )
    # The scoring day (R9) of the month the figure arrives in: a jump in the days just before it may be
    # dressing the numbers for the assessment.
    day = submitted_at.date()
    scoring = Month.of(day).day(policy.scoring_day)
    in_window = 0 <= (scoring - day).days <= policy.pre_scoring_window_days
    if in_window and med is not None and fig.investment_month > policy.pre_scoring_jump_factor * med:
        out.append(
            Flag(
                FlagRule.PRE_SCORING_JUMP,
                f"submitted {day}, {(scoring - day).days} day(s) before the scoring day {scoring}, with "
                f"{fig.investment_month} 万元 this month: more than {policy.pre_scoring_jump_factor}× "
                f"the median month {med} 万元",
                {
                    **base,
                    "median_month": _n(med),
                    "scoring_day": scoring.isoformat(),
                    "submitted_on": day.isoformat(),
                    "factor": _n(policy.pre_scoring_jump_factor),
                },
            )
        )
    return out


def validate(fig: Figures, hist: History, *, now: datetime, policy: Policy) -> Verdict:
    """Refusals first; flags only for a report that will be accepted."""
    out = [r for r in [check_month(fig.month, now)] if r is not None]
    out.extend(refusals(fig, hist))
    if out:
        return Verdict(out, [])
    return Verdict([], flags(fig, hist, submitted_at=now, policy=policy))
