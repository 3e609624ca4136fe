"""Policies as data, milestone shares (R2/R10), the attainment light, periods, the year total."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from scoring.domain.indicators import ProjectFact
from scoring.domain.milestones import attainment_light, check_milestone, expected_share, metric_actual
from scoring.domain.periods import Window, add_months, period_months, previous_quarter, window_for
from scoring.domain.policy import DEFAULT_POLICY, policy_from_dict, policy_problems, policy_to_dict
from scoring.domain.yearend import MonthResult, year_total


def test_default_policy_is_the_r9_policy_and_round_trips() -> None:
    d = policy_to_dict(DEFAULT_POLICY)
    assert [(i["code"], i["weight"], i["cap"]) for i in d["indicators"]] == [
        ("signing_rate", 20, 1.2),
        ("landing_rate", 20, 1.2),
        ("funds_rate", 20, 1.2),
        ("investment_rate", 25, 1.2),
        ("enterprise_rate", 15, 1.2),
    ]
    assert d["assessment_day"] == 25 and d["milestone_curve"] == [18, 50, 80, 100]
    assert d["ranked_kinds"] == ["township"] and d["tie_breaks"] == ["investment_rate", "unit_code"]
    assert policy_from_dict(d) == DEFAULT_POLICY
    assert policy_problems(DEFAULT_POLICY) == []


def test_policy_problems_name_the_field() -> None:
    bad = replace(
        DEFAULT_POLICY,
        tie_breaks=("speed",),
        assessment_day=31,
        milestone_curve=(D("0.5"), D("0.2"), D("0.8"), D(1)),
    )
    fields = [f for f, _ in policy_problems(bad)]
    assert fields == ["tie_breaks.0", "assessment_day", "milestone_curve"]


def test_expected_share_follows_the_milestone_curve_interpolated_by_month() -> None:
    curve = DEFAULT_POLICY.milestone_curve
    assert [expected_share(curve, m) for m in (1, 2, 3, 6, 9, 12)] == [
        D("0.06"),
        D("0.12"),
        D("0.18"),
        D("0.50"),
        D("0.80"),
        D(1),
    ]
    assert expected_share(curve, 4) == D("0.2867")  # 18 % + (50 − 18) % / 3


def test_a_unit_below_18_percent_at_the_end_of_march_misses_its_milestone() -> None:
    missed = check_milestone(D(10000), D(1700), D("0.18"))
    assert (missed.missed, missed.expected_value, missed.shortfall, missed.actual_share) == (
        True,
        D("1800.00"),
        D("100.00"),
        D("0.17"),
    )
    assert not check_milestone(D(10000), D(1800), D("0.18")).missed


def test_attainment_light_by_gap_in_points() -> None:
    t = DEFAULT_POLICY.light_thresholds
    assert attainment_light(D("0.5"), D("0.45"), t) == "green"
    assert attainment_light(D("0.5"), D("0.30"), t) == "yellow"
    assert attainment_light(D("0.5"), D("0.19"), t) == "red"
    assert attainment_light(D("0.5"), None, t) is None


def test_metric_actuals_for_the_board() -> None:
    p = [
        ProjectFact(
            "a",
            "A",
            "u",
            is_signed=False,
            started=True,
            stats_registered=True,
            status_source=None,
            is_industrial=True,
        ),
        ProjectFact("b", "B", "u", is_signed=True, started=False, stats_registered=False, status_source=None),
    ]
    assert metric_actual("industrial_investment", p, []) == D(0)
    assert metric_actual("signed_project_count", p, []) == D(1)
    assert metric_actual("start_rate", p, []) is None


def test_periods() -> None:
    assert window_for("2024-05", "quarter") == Window("2024Q2", "2024-04", "2024-05")
    assert window_for("2024-05", "year").base_month == "2023-12"
    assert add_months("2024-01", -1) == "2023-12"
    assert period_months("2024H2") == ("2024-07", "2024-12")
    from datetime import date

    assert previous_quarter(date(2024, 4, 1)) == (2024, 1)
    assert previous_quarter(date(2024, 2, 1)) == (2023, 4)


def test_year_total_adds_up_the_months() -> None:
    lines = year_total(
        [
            MonthResult("2024-01", "a", "甲", 1, 2, D("90"), False),
            MonthResult("2024-01", "b", "乙", 2, 2, D("70"), True),
            MonthResult("2024-02", "a", "甲", 2, 2, D("60"), True),
            MonthResult("2024-02", "b", "乙", 1, 2, D("90"), False),
        ]
    )
    assert [
        (x.year_rank, x.unit_code, x.total_score, x.average_score, x.interviews, x.best_rank, x.worst_rank)
        for x in lines
    ] == [(1, "b", D(160), D("80.00"), 1, 1, 2), (2, "a", D(150), D("75.00"), 1, 1, 2)]
