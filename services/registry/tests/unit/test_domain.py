"""Unit tests of the registry domain: stage lifecycle, target coverage (R1), reserve health (R11)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from registry.domain.model import (
    ALLOWED_TRANSITIONS,
    STAGE_LABELS,
    IllegalStageTransition,
    Metric,
    Stage,
    check_transition,
    is_count,
    is_rate,
)
from registry.domain.reserve import ReserveProject, reserve_health
from registry.domain.targets import CoverageLine, TargetLine, coverage_report, effective_value

D = Decimal
S = Stage

# ---- stage lifecycle -------------------------------------------------------------------------

ALLOWED = [
    (S.PLANNED, S.RESERVE),
    (S.PLANNED, S.CANCELLED),
    (S.RESERVE, S.PRELIMINARY),
    (S.RESERVE, S.PLANNED),
    (S.RESERVE, S.CANCELLED),
    (S.PRELIMINARY, S.CONSTRUCTION),
    (S.PRELIMINARY, S.RESERVE),
    (S.PRELIMINARY, S.CANCELLED),
    (S.CONSTRUCTION, S.COMPLETED),
    (S.CONSTRUCTION, S.CANCELLED),
    (S.CANCELLED, S.PLANNED),
]


def test_allowed_transitions_table_is_exactly_the_lifecycle() -> None:
    table = {(a, b) for a, nexts in ALLOWED_TRANSITIONS.items() for b in nexts}
    assert table == set(ALLOWED)
    assert set(ALLOWED_TRANSITIONS) == set(Stage)


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_stage_change_passes(current: Stage, new: Stage) -> None:
    check_transition(current, new)  # raises if refused
    assert new in ALLOWED_TRANSITIONS[current]


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (S.CONSTRUCTION, S.PLANNED, [S.COMPLETED, S.CANCELLED]),
        (S.PLANNED, S.CONSTRUCTION, [S.RESERVE, S.CANCELLED]),
        (S.PLANNED, S.PRELIMINARY, [S.RESERVE, S.CANCELLED]),
        (S.RESERVE, S.CONSTRUCTION, [S.PLANNED, S.PRELIMINARY, S.CANCELLED]),
        (S.PRELIMINARY, S.COMPLETED, [S.RESERVE, S.CONSTRUCTION, S.CANCELLED]),
        (S.COMPLETED, S.CONSTRUCTION, []),
        (S.COMPLETED, S.CANCELLED, []),
        (S.CANCELLED, S.CONSTRUCTION, [S.PLANNED]),
        (S.CONSTRUCTION, S.CONSTRUCTION, [S.COMPLETED, S.CANCELLED]),
    ],
)
def test_forbidden_stage_change_is_refused_with_allowed_stages(
    current: Stage, new: Stage, allowed: list[Stage]
) -> None:
    with pytest.raises(IllegalStageTransition) as caught:
        check_transition(current, new)
    err = caught.value
    assert (err.current, err.requested, err.allowed) == (current, new, allowed)
    assert f"{STAGE_LABELS[current]}({current.value})" in str(err)
    assert f"{STAGE_LABELS[new]}({new.value})" in str(err)


def test_refusal_message_names_both_stages_in_chinese_and_the_way_forward() -> None:
    with pytest.raises(IllegalStageTransition) as caught:
        check_transition(S.CONSTRUCTION, S.PLANNED)
    assert str(caught.value) == (
        "项目阶段不能从 在建(construction) 变为 谋划(planned); allowed next stages: completed, cancelled"
    )


def test_completed_project_is_final() -> None:
    with pytest.raises(IllegalStageTransition, match=r"none \(completed is final\)"):
        check_transition(S.COMPLETED, S.PLANNED)


def test_plain_strings_are_accepted_as_stages() -> None:
    check_transition("preliminary", "construction")  # type: ignore[arg-type]
    with pytest.raises(IllegalStageTransition):
        check_transition("completed", "planned")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("metric", "rate", "count"),
    [
        (Metric.FIXED_ASSET_INVESTMENT, False, False),
        (Metric.RESERVE_COUNT, False, True),
        (Metric.LARGE_PROJECT_COUNT_10_50YI, False, True),
        (Metric.LARGE_PROJECT_COUNT_5_10YI, False, True),
        (Metric.SIGNED_AMOUNT, False, False),
        (Metric.NEW_START_RATE, True, False),
        (Metric.SAME_YEAR_START_RATE, True, False),
        ("procedure_completion_rate", True, False),
        ("some_local_metric", False, False),
    ],
)
def test_metric_kind_helpers(metric: str, rate: bool, count: bool) -> None:
    assert (is_rate(metric), is_count(metric)) == (rate, count)


# ---- target coverage (R1) --------------------------------------------------------------------

FAI = "fixed_asset_investment"
Q4 = "2023Q4"


def region(value: str, metric: str = FAI, period: str = Q4) -> TargetLine:
    return TargetLine(metric, period, "region", None, D(value), None, None)


def unit(code: str, value: str, metric: str = FAI, period: str = Q4) -> TargetLine:
    return TargetLine(metric, period, "unit", code, D(value), None, None)


def only(lines: list[TargetLine]) -> CoverageLine:
    report = coverage_report(lines)
    assert len(report) == 1
    return report[0]


def test_unit_targets_short_of_region_flag_under_allocation() -> None:
    line = only([region("100000"), unit("U01", "60000"), unit("U02", "39999.99")])
    assert (line.unit_sum, line.unit_count, line.gap) == (D("99999.99"), 2, D("0.01"))
    assert line.coverage == D("1.0000")  # rounds to 100%, yet the exact sum is short
    assert (line.flag, line.severity) == ("under_allocated", "error")


def test_unit_targets_beyond_region_flag_over_allocation_as_information() -> None:
    line = only([region("1000"), unit("U01", "700"), unit("U02", "450.5")])
    assert (line.unit_sum, line.coverage, line.gap) == (D("1150.5"), D("1.1505"), D("-150.5"))
    assert (line.flag, line.severity) == ("over_allocated", "info")


def test_unit_targets_adding_up_to_region_are_balanced() -> None:
    line = only([region("2350000"), unit("U01", "1000000"), unit("U02", "1350000")])
    assert (line.coverage, line.gap, line.flag, line.severity) == (D("1.0000"), D(0), "balanced", "ok")


def test_unit_targets_without_regional_target_warn() -> None:
    line = only([unit("U01", "500"), unit("U02", "300")])
    assert (line.regional_target, line.unit_sum, line.coverage, line.gap) == (None, D("800"), None, None)
    assert (line.flag, line.severity) == ("no_regional_target", "warning")


def test_regional_target_without_unit_targets_is_an_error() -> None:
    line = only([region("1800000")])
    assert (line.unit_sum, line.unit_count, line.coverage, line.gap) == (D(0), 0, D("0.0000"), D("1800000"))
    assert (line.flag, line.severity) == ("no_unit_targets", "error")


@pytest.mark.parametrize(
    "metric", ["new_start_rate", "restart_rate", "start_rate", "procedure_completion_rate"]
)
def test_rate_targets_are_not_summed(metric: str) -> None:
    line = only([region("0.9", metric), unit("U01", "0.9", metric), unit("U02", "0.95", metric)])
    assert (line.regional_target, line.unit_sum, line.unit_count) == (D("0.9"), D(0), 2)
    assert (line.coverage, line.gap, line.flag) == (None, None, "not_additive")


@pytest.mark.parametrize(
    ("baseline", "growth_pct", "expected"),
    [
        (D("2216981.13"), D("6"), D("2350000.00")),  # 235 亿, 同比增长 6%
        (D("1000"), D("10"), D("1100.00")),
        (D("333.33"), D("0.5"), D("335.00")),  # 334.99665 rounds half up
        (D("100.01"), D("-50"), D("50.01")),  # 50.005 rounds half up, not to even
        (D("500"), D("0"), D("500.00")),
    ],
)
def test_growth_target_effective_value(baseline: Decimal, growth_pct: Decimal, expected: Decimal) -> None:
    assert effective_value(baseline, growth_pct) == expected


def test_growth_targets_are_compared_at_their_effective_value() -> None:
    regional = TargetLine.growth(
        metric=FAI, period="2025", scope="region", unit_code=None, baseline=D("1000"), growth_pct=D("10")
    )
    units = [
        TargetLine(FAI, "2025", "unit", "U01", D(0), D("500"), D("10")),  # effective 550
        unit("U02", "500", period="2025"),
    ]
    line = only([regional, *units])
    assert (regional.value, line.regional_target, line.unit_sum) == (D("1100.00"), D("1100.00"), D("1050.00"))
    assert (line.gap, line.flag) == (D("50.00"), "under_allocated")


def test_report_is_grouped_and_sorted_by_metric_then_period() -> None:
    report = coverage_report(
        [
            region("10", "signed_amount", "2023Q4"),
            unit("U01", "4", FAI, "2024"),
            region("5", FAI, "2024"),
            unit("U01", "4", FAI, "2023Q4"),
            unit("U02", "6", FAI, "2023Q4"),
            region("10", FAI, "2023Q4"),
        ]
    )
    assert [(c.metric, c.period, c.flag) for c in report] == [
        (FAI, "2023Q4", "balanced"),
        (FAI, "2024", "under_allocated"),
        ("signed_amount", "2023Q4", "no_unit_targets"),
    ]
    assert report[0].unit_sum == D(10)


@pytest.mark.parametrize(
    "lines",
    [
        [region("1"), region("2")],
        [region("1"), unit("U01", "1"), unit("U01", "2")],
    ],
)
def test_duplicate_targets_in_one_group_are_refused(lines: list[TargetLine]) -> None:
    with pytest.raises(ValueError, match="two"):
        coverage_report(lines)


@pytest.mark.parametrize(
    ("scope", "unit_code", "baseline", "growth_pct", "message"),
    [
        ("unit", None, None, None, "needs a unit_code"),
        ("region", "U01", None, None, "has no unit_code"),
        ("county", None, None, None, "county"),
        ("region", None, D("100"), None, "both baseline and growth_pct"),
    ],
)
def test_malformed_target_line_is_refused(
    scope: str, unit_code: str | None, baseline: Decimal | None, growth_pct: Decimal | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TargetLine(FAI, Q4, scope, unit_code, D(1), baseline, growth_pct)


# ---- reserve health (R11) --------------------------------------------------------------------


def project(total: str, stage: str = "reserve") -> ReserveProject:
    return ReserveProject(D(total), stage)


@pytest.mark.parametrize(
    ("total", "band_10_50", "band_5_10"),
    [
        ("49999.99", 0, 0),
        ("50000", 0, 1),  # exactly 5 亿 is in the 5–10 亿 band
        ("99999.99", 0, 1),
        ("100000", 1, 0),  # exactly 10 亿 moves up to the 10–50 亿 band
        ("499999.99", 1, 0),
        ("500000", 0, 0),  # 50 亿 and above is beyond both bands
    ],
)
def test_size_band_boundaries(total: str, band_10_50: int, band_5_10: int) -> None:
    health = reserve_health([project(total)], planned_investment_this_year=D(1))
    assert (health.band("band_10_50yi").count, health.band("band_5_10yi").count) == (band_10_50, band_5_10)


@pytest.mark.parametrize(
    ("reserve_total", "planned", "multiple", "healthy"),
    [
        ("3600000", "1800000", D("2.00"), True),  # exactly 2× the year's plan
        ("3599999.99", "1800000", D("2.00"), False),  # rounds to 2.00× yet falls short
        ("5400000", "1800000", D("3.00"), True),
        ("100", "0", None, True),
    ],
)
def test_reserve_must_cover_twice_the_planned_investment(
    reserve_total: str, planned: str, multiple: Decimal | None, healthy: bool
) -> None:
    health = reserve_health([project(reserve_total)], planned_investment_this_year=D(planned))
    assert (health.reserve_total, health.multiple, health.healthy) == (D(reserve_total), multiple, healthy)
    assert health.required_multiple == D(2)


def test_only_projects_not_yet_built_count_as_reserve() -> None:
    projects = [
        project("60000", "planned"),
        project("150000", "reserve"),
        project("70000", "preliminary"),
        project("200000", "construction"),
        project("300000", "completed"),
        project("80000", "cancelled"),
    ]
    health = reserve_health(projects, planned_investment_this_year=D("140000"))
    assert (health.project_count, health.reserve_total, health.multiple) == (3, D("280000"), D("2.00"))
    assert (health.band("band_10_50yi").count, health.band("band_5_10yi").count) == (1, 2)


def test_band_targets_are_checked_when_given() -> None:
    projects = [project("150000"), project("400000"), project("60000"), project("90000")]
    health = reserve_health(
        projects,
        planned_investment_this_year=D("1000000"),
        required_multiple=D("0.5"),
        # the seed's 谋大储强 asks for 3 projects of 10–50 亿 and 4 of 5–10 亿; smaller numbers here
        band_targets={"band_10_50yi": 3, "band_5_10yi": 2},
    )
    big, mid = health.band("band_10_50yi"), health.band("band_5_10yi")
    assert (big.count, big.target, big.met) == (2, 3, False)
    assert (mid.count, mid.target, mid.met) == (2, 2, True)
    assert health.healthy is True


def test_bands_without_targets_are_counted_but_not_judged() -> None:
    health = reserve_health([project("150000")], planned_investment_this_year=D(1))
    assert [(b.band, b.count, b.target, b.met) for b in health.bands] == [
        ("band_10_50yi", 1, None, None),
        ("band_5_10yi", 0, None, None),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: reserve_health([], planned_investment_this_year=D(-1)), "negative"),
        (
            lambda: reserve_health([], planned_investment_this_year=D(1), band_targets={"b_1_5yi": 1}),
            "b_1_5yi",
        ),
        (lambda: ReserveProject(D(-5), "reserve"), "negative"),
        (lambda: ReserveProject(D(5), "started"), "started"),
    ],
)
def test_bad_reserve_inputs_are_refused(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call()
