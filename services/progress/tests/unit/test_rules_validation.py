"""R4 report validation, table-driven: every refusal with its numbers, every flag and its edges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from progress.domain.deadlines import SHANGHAI
from progress.domain.model import ConstructionStatus, FlagRule, Month, RefusalRule
from progress.domain.policy import Policy
from progress.domain.validation import Figures, History, check_month, flags, refusals, unregistered, validate

D = Decimal
S = ConstructionStatus
NOW = datetime(2025, 5, 10, 9, tzinfo=SHANGHAI)
POLICY = Policy()


def fig(
    month: Month = Month(2025, 4),
    *,
    inv: str = "100",
    ytd: str = "400",
    cum: str = "1400",
    status: S = S.RESUMED,
    start: date | None = None,
    **extra: Any,
) -> Figures:
    return Figures(
        month=month,
        investment_month=D(inv),
        investment_ytd=D(ytd),
        investment_cumulative=D(cum),
        construction_status=status,
        actual_start_date=start,
        **extra,
    )


def hist(
    *,
    earlier: Month | None = Month(2025, 3),
    ytd: str | None = "300",
    months: tuple[str, ...] = (),
    total: str = "100000",
) -> History:
    return History(
        total_investment=D(total),
        earlier_month=earlier,
        earlier_ytd=D(ytd) if ytd else None,
        earlier_months=tuple(D(x) for x in months),
    )


def rules(items: list[Any]) -> list[str]:
    return [x.rule.value for x in items]


@pytest.mark.parametrize(
    ("figures", "history", "rule", "field", "numbers"),
    [
        (fig(inv="-1", ytd="299"), hist(), RefusalRule.NEGATIVE_FIGURE, "investment_month", {"value": -1.0}),
        (fig(signed_amount=D("-3")), hist(), RefusalRule.NEGATIVE_FIGURE, "signed_amount", {"value": -3.0}),
        (
            fig(funds_in_place=D("-0.01")),
            hist(),
            RefusalRule.NEGATIVE_FIGURE,
            "funds_in_place",
            {"value": -0.01},
        ),
        (
            fig(ytd="450"),
            hist(),
            RefusalRule.YTD_MISMATCH,
            "investment_ytd",
            {
                "previous_month": "2025-03",
                "previous_ytd": 300.0,
                "investment_month": 100.0,
                "expected_ytd": 400.0,
                "investment_ytd": 450.0,
            },
        ),
        (fig(ytd="350"), hist(), RefusalRule.YTD_MISMATCH, "investment_ytd", {"expected_ytd": 400.0}),
        # February missing: the ytd can only be more than January's ytd + April's month.
        (
            fig(ytd="250"),
            hist(earlier=Month(2025, 1), ytd="200"),
            RefusalRule.YTD_MISMATCH,
            "investment_ytd",
            {"previous_month": "2025-01", "expected_ytd": 300.0},
        ),
        (
            fig(Month(2025, 1), ytd="150", cum="1150"),
            hist(earlier=None, ytd=None),
            RefusalRule.YTD_MISMATCH,
            "investment_ytd",
            {"previous_ytd": 0.0, "expected_ytd": 100.0},
        ),
        (
            fig(ytd="50", cum="1050"),
            hist(earlier=None, ytd=None),
            RefusalRule.YTD_MISMATCH,
            "investment_ytd",
            {"expected_ytd": 100.0},
        ),
        (
            fig(cum="399"),
            hist(),
            RefusalRule.CUMULATIVE_BELOW_YTD,
            "investment_cumulative",
            {"investment_cumulative": 399.0, "investment_ytd": 400.0},
        ),
        (
            fig(status=S.STARTED),
            hist(),
            RefusalRule.STARTED_WITHOUT_DATE,
            "actual_start_date",
            {"construction_status": "started"},
        ),
    ],
)
def test_each_refusal_names_its_rule_field_and_numbers(
    figures: Figures, history: History, rule: RefusalRule, field: str, numbers: dict[str, Any]
) -> None:
    [refusal] = refusals(figures, history)
    error = refusal.as_error()
    assert (error["rule"], error["field"]) == (rule.value, field)
    assert {k: error[k] for k in numbers} == numbers
    assert error["message"]


@pytest.mark.parametrize(
    ("figures", "history"),
    [
        (fig(), hist()),  # 300 + 100 = 400
        (fig(Month(2025, 1), ytd="100"), hist(earlier=None, ytd=None)),
        (fig(ytd="700"), hist(earlier=Month(2025, 1), ytd="200")),  # a month in between was not reported
        (fig(status=S.STARTED, start=date(2025, 4, 2)), hist()),
        (fig(inv="0", ytd="300", cum="300"), hist()),
    ],
)
def test_consistent_reports_pass(figures: Figures, history: History) -> None:
    assert refusals(figures, history) == []


def test_all_refusals_are_reported_at_once() -> None:
    found = refusals(fig(ytd="900", cum="10", status=S.STARTED, signed_amount=D(-1)), hist())
    assert rules(found) == ["negative_figure", "ytd_mismatch", "cumulative_below_ytd", "started_without_date"]


def test_a_month_in_the_future_is_refused_and_the_current_month_is_not() -> None:
    refusal = check_month(Month(2025, 6), NOW)
    assert refusal is not None and refusal.rule is RefusalRule.FUTURE_MONTH
    assert refusal.as_error()["current_month"] == "2025-05"
    assert check_month(Month(2025, 5), NOW) is None and check_month(Month(2024, 12), NOW) is None


def test_an_unregistered_project_is_named() -> None:
    assert unregistered("p-1").as_error() == {
        "field": "project_id",
        "rule": "unregistered_project",
        "project_id": "p-1",
        "message": unregistered("p-1").message,
    }


STEADY = ("100", "100", "100")


@pytest.mark.parametrize(
    ("figures", "history", "when", "expected"),
    [
        (fig(cum="100001"), hist(), NOW, [FlagRule.OVER_BUDGET]),
        (fig(cum="100000"), hist(), NOW, []),  # exactly the total investment is not 超概算
        (fig(inv="301", ytd="600"), hist(ytd="299", months=STEADY), NOW, [FlagRule.OUTLIER_MONTH]),
        (fig(inv="300", ytd="600"), hist(ytd="300", months=STEADY), NOW, []),  # exactly 3× is not above 3×
        (fig(inv="900", ytd="1100"), hist(ytd="200", months=("100", "100")), NOW, []),  # too little history
        (
            fig(inv="900", ytd="1100"),
            hist(ytd="200", months=("0", "0", "100", "100")),
            NOW,
            [],
        ),  # zeros ignored
        (fig(status=S.NOT_STARTED), hist(), NOW, [FlagRule.INVESTMENT_WHILE_NOT_STARTED]),
        (fig(inv="0", ytd="300", status=S.NOT_STARTED), hist(), NOW, []),
        # Right before the scoring day (the 25th; window 5 days): a month above 2× the median.
        (
            fig(inv="250", ytd="550"),
            hist(months=STEADY),
            datetime(2025, 5, 20, tzinfo=SHANGHAI),
            [FlagRule.PRE_SCORING_JUMP],
        ),
        (
            fig(inv="250", ytd="550"),
            hist(months=STEADY),
            datetime(2025, 5, 25, 23, tzinfo=SHANGHAI),
            [FlagRule.PRE_SCORING_JUMP],
        ),
        (fig(inv="250", ytd="550"), hist(months=STEADY), datetime(2025, 5, 19, tzinfo=SHANGHAI), []),
        (fig(inv="250", ytd="550"), hist(months=STEADY), datetime(2025, 5, 26, tzinfo=SHANGHAI), []),
        (fig(inv="200", ytd="500"), hist(months=STEADY), datetime(2025, 5, 22, tzinfo=SHANGHAI), []),
        (
            fig(inv="400", ytd="700", cum="200000"),
            hist(months=STEADY),
            datetime(2025, 5, 22, tzinfo=SHANGHAI),
            [FlagRule.OVER_BUDGET, FlagRule.OUTLIER_MONTH, FlagRule.PRE_SCORING_JUMP],
        ),
    ],
)
def test_flags(figures: Figures, history: History, when: datetime, expected: list[FlagRule]) -> None:
    found = flags(figures, history, submitted_at=when, policy=POLICY)
    assert [f.rule for f in found] == expected
    assert all(f.detail and f.figures["investment_month"] == float(figures.investment_month) for f in found)


def test_over_budget_carries_the_numbers() -> None:
    [flag] = flags(fig(cum="120000"), hist(), submitted_at=NOW, policy=POLICY)
    assert flag.figures["total_investment"] == 100000.0 and flag.figures["over_by"] == 20000.0
    assert "超概算" in flag.detail


def test_flag_factors_are_configurable() -> None:
    lenient = Policy(outlier_factor=D(5), outlier_min_months=2)
    found = flags(fig(inv="450", ytd="750"), hist(months=("100", "100")), submitted_at=NOW, policy=lenient)
    assert found == []
    found = flags(fig(inv="501", ytd="800"), hist(months=("100", "100")), submitted_at=NOW, policy=lenient)
    assert rules(found) == ["outlier_month"]


def test_validate_refuses_before_it_flags() -> None:
    verdict = validate(fig(inv="-1", ytd="299", cum="999999"), hist(), now=NOW, policy=POLICY)
    assert not verdict.accepted and verdict.flags == []
    verdict = validate(fig(cum="999999"), hist(), now=NOW, policy=POLICY)
    assert verdict.accepted and rules(verdict.flags) == ["over_budget"]
    verdict = validate(fig(Month(2025, 7)), hist(), now=NOW, policy=POLICY)
    assert rules(verdict.refusals) == ["future_month"]
