"""亮灯 (R3), table-driven: the investment thresholds at their exact boundaries, start, 入统, unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from progress.domain.lights import (
    Verdict,
    consecutive_missing,
    investment_light,
    light_for_gap,
    missing_light,
    start_light,
    stats_light,
    unit_light,
)
from progress.domain.model import Light, Month, worst
from progress.domain.policy import Policy
from progress.domain.schedule import expected_share

D = Decimal
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED
DEFAULT = Policy()


@pytest.mark.parametrize(
    ("gap", "light"),
    [
        ("-25", G),  # ahead of schedule
        ("0", G),
        ("9.99", G),
        ("10", Y),  # green gap < 10, yellow 10 ≤ gap
        ("10.01", Y),
        ("29.99", Y),
        ("30", Y),  # yellow gap ≤ 30
        ("30.01", R),  # red gap > 30
        ("100", R),
    ],
)
def test_investment_light_thresholds_at_the_boundaries(gap: str, light: Light) -> None:
    assert light_for_gap(D(gap), DEFAULT) is light


@pytest.mark.parametrize(
    ("month", "done", "gap", "light"),
    [
        (Month(2025, 3), "150", "10.00", Y),  # expected 25%, done 15%
        (Month(2025, 3), "151", "9.90", G),
        (Month(2025, 6), "200", "30.00", Y),  # expected 50%, done 20%
        (Month(2025, 6), "199", "30.10", R),
        (Month(2025, 6), "600", "-10.00", G),
        (Month(2025, 12), "1000", "0.00", G),
    ],
)
def test_investment_light_from_ytd_against_the_schedule(
    month: Month, done: str, gap: str, light: Light
) -> None:
    v = investment_light(expected=expected_share(month, DEFAULT), done=D(done), plan=D(1000), policy=DEFAULT)
    assert v is not None
    assert (v.gap_points, v.light) == (D(gap), light)
    assert f"差距 {gap}" in v.reason


def test_investment_light_thresholds_are_configurable() -> None:
    strict = Policy(yellow_from_points=D(5), red_above_points=D(20))
    assert [light_for_gap(D(x), strict) for x in ("4.99", "5", "20", "20.01")] == [G, Y, Y, R]


def test_no_plan_no_investment_light() -> None:
    assert investment_light(expected=D("0.5"), done=D(10), plan=D(0), policy=DEFAULT) is None


PLANNED = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("build_type", "planned", "status", "month", "light"),
    [
        ("new", PLANNED, None, Month(2025, 2), G),  # not due yet
        ("new", PLANNED, "not_started", Month(2025, 3), Y),  # planned month passes without a start
        ("new", PLANNED, "not_started", Month(2025, 5), Y),
        ("new", PLANNED, "not_started", Month(2025, 6), R),  # 3 months later
        ("new", PLANNED, None, Month(2026, 1), R),
        ("new", PLANNED, "started", Month(2025, 8), G),
        ("new", PLANNED, "suspended", Month(2025, 4), Y),  # suspended is not 开工 for R3
        ("continuing", PLANNED, None, Month(2025, 8), None),  # only new projects have a start light
        ("new", None, None, Month(2025, 8), None),
    ],
)
def test_start_light(
    build_type: str, planned: date | None, status: str | None, month: Month, light: Light | None
) -> None:
    v = start_light(build_type=build_type, planned_start=planned, status=status, month=month, policy=DEFAULT)
    assert (v.light if v else None) is light


STARTED = date(2025, 4, 20)


@pytest.mark.parametrize(
    ("status", "started", "registered", "month", "light"),
    [
        ("started", STARTED, False, Month(2025, 4), G),
        ("started", STARTED, False, Month(2025, 5), Y),  # 1 month after the start
        ("resumed", STARTED, False, Month(2025, 6), R),  # 2 months
        ("started", STARTED, True, Month(2025, 9), G),
        ("not_started", None, False, Month(2025, 9), None),
        (None, None, False, Month(2025, 9), None),
        ("started", None, False, Month(2025, 9), None),  # no start date to count from
    ],
)
def test_stats_light(
    status: str | None, started: date | None, registered: bool, month: Month, light: Light | None
) -> None:
    v = stats_light(
        status=status, actual_start_date=started, stats_registered=registered, month=month, policy=DEFAULT
    )
    assert (v.light if v else None) is light


@pytest.mark.parametrize(("months", "light"), [(0, G), (1, Y), (2, R), (5, R)])
def test_missing_reports_light(months: int, light: Light) -> None:
    assert missing_light(months, DEFAULT).light is light


@pytest.mark.parametrize(
    ("history", "streak"),
    [
        ([], 0),
        ([True], 1),
        ([True, True], 2),
        ([True, False], 0),
        ([False, True, True], 2),
        ([True, False, True], 1),
    ],
)
def test_consecutive_missing_counts_back_from_the_last_month(history: list[bool], streak: int) -> None:
    assert consecutive_missing(history) == streak


@pytest.mark.parametrize(
    ("investment", "missing", "light"),
    [(G, 0, G), (Y, 0, Y), (G, 1, Y), (Y, 2, R), (R, 0, R), (None, 1, Y), (None, 0, G)],
)
def test_unit_light_is_the_worst_of_investment_and_missing_reports(
    investment: Light | None, missing: int, light: Light
) -> None:
    inv = Verdict(investment, "inv", D(12)) if investment else None
    v = unit_light(investment=inv, missing=missing_light(missing, DEFAULT))
    assert v.light is light
    assert v.reason


def test_worst_of_nothing_is_green() -> None:
    assert worst() is G and worst(None, Y, G) is Y and worst(R, Y) is R
