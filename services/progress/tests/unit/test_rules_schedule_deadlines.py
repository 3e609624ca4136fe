"""序时进度 (R2), the reporting window (R5), the month, and the policy as data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from progress.domain.deadlines import (
    SHANGHAI,
    deadline,
    deadlines_due,
    due_date,
    is_late,
    is_required,
    latest_closed_month,
    reminder_date,
)
from progress.domain.model import Month
from progress.domain.policy import Policy, ScheduleCurve, policy_from_data, policy_to_data
from progress.domain.schedule import actual_share, campaign_share, expected_share, gap_points

D = Decimal
MILESTONE = Policy(schedule_curve=ScheduleCurve.MILESTONE)


@pytest.mark.parametrize(
    ("m", "share"), [(1, "0.0833"), (3, "0.2500"), (6, "0.5000"), (11, "0.9167"), (12, "1")]
)
def test_linear_schedule_is_m_over_12(m: int, share: str) -> None:
    assert expected_share(Month(2025, m), Policy()) == D(share)


@pytest.mark.parametrize(
    ("m", "share"),
    [
        (1, "0.06"),
        (2, "0.12"),
        (3, "0.18"),
        (4, "0.2867"),
        (5, "0.3933"),
        (6, "0.50"),
        (7, "0.60"),
        (9, "0.80"),
        (10, "0.8667"),
        (12, "1"),
    ],
)
def test_milestone_curve_18_50_80_100_is_interpolated_by_month(m: int, share: str) -> None:
    assert expected_share(Month(2025, m), MILESTONE) == D(share)


@pytest.mark.parametrize(
    ("at", "share"),
    [
        (date(2023, 10, 31), "0"),
        (date(2023, 11, 1), "0.0089"),  # 1 of 112 days
        (date(2023, 12, 31), "0.5446"),  # 61 of 112
        (date(2024, 2, 20), "1"),
        (date(2024, 3, 15), "1"),
    ],
)
def test_campaign_window_share_is_elapsed_days_over_window_days(at: date, share: str) -> None:
    # The Yangcheng 2023 winter campaign: 2023-11-01 .. 2024-02-20.
    assert campaign_share(date(2023, 11, 1), date(2024, 2, 20), at) == D(share)


def test_gap_and_actual_share() -> None:
    assert actual_share(D(300), D(2400)) == D("0.125") and actual_share(D(1), D(0)) is None
    assert gap_points(D("0.25"), D("0.125")) == D("12.50")


@pytest.mark.parametrize(
    ("policy", "month", "due"),
    [
        (Policy(), Month(2025, 4), date(2025, 4, 30)),
        (Policy(), Month(2028, 2), date(2028, 2, 29)),  # leap year
        (Policy(due_day=25), Month(2025, 3), date(2025, 3, 25)),
        (Policy(due_day=31), Month(2025, 4), date(2025, 4, 30)),  # clamped to the month
    ],
)
def test_due_date(policy: Policy, month: Month, due: date) -> None:
    assert due_date(month, policy) == due
    assert deadline(month, policy) == datetime.combine(due + timedelta(days=1), time(0), SHANGHAI)


def _at(m: int, d: int, h: int = 12) -> datetime:
    return datetime(2025, m, d, h, tzinfo=SHANGHAI)


def test_the_month_closes_at_the_end_of_its_due_day() -> None:
    april = Month(2025, 4)
    assert deadline(april, Policy()) == datetime(2025, 5, 1, tzinfo=SHANGHAI)
    assert not is_late(april, datetime(2025, 4, 30, 23, 59, tzinfo=SHANGHAI), Policy())
    assert is_late(april, datetime(2025, 5, 1, 0, 0, tzinfo=SHANGHAI), Policy())
    assert reminder_date(april, Policy()) == date(2025, 4, 27)
    assert reminder_date(april, Policy(due_day=20, reminder_days_before=5)) == date(2025, 4, 15)


@pytest.mark.parametrize(
    ("now", "remind", "overdue"),
    [
        (_at(4, 26), [], ["2025-03"]),
        (_at(4, 27, 0), ["2025-04"], ["2025-03"]),  # 3 days before the 30th
        (_at(4, 30, 23), ["2025-04"], ["2025-03"]),
        (_at(5, 1, 0), [], ["2025-04"]),  # April closed; May's window has not opened
    ],
)
def test_deadline_duties_at_an_instant(now: datetime, remind: list[str], overdue: list[str]) -> None:
    duties = deadlines_due(now, Policy())
    assert [str(d.month) for d in duties if d.remind] == remind
    assert [str(d.month) for d in duties if d.overdue] == overdue


def test_latest_closed_month_and_required_projects() -> None:
    assert str(latest_closed_month(_at(4, 30), Policy())) == "2025-03"
    assert str(latest_closed_month(_at(4, 21), Policy(due_day=20))) == "2025-04"
    registered = _at(4, 10)
    assert is_required(stage="construction", registered_at=registered, month=Month(2025, 4), policy=Policy())
    assert (
        is_required(
            stage="preliminary", registered_at=registered, month=Month(2025, 3), policy=Policy(due_day=None)
        )
        is False
    )  # registered after March closed
    assert not is_required(stage="planned", registered_at=registered, month=Month(2025, 5), policy=Policy())
    assert not is_required(stage="completed", registered_at=registered, month=Month(2025, 5), policy=Policy())


def test_month_arithmetic_and_parsing() -> None:
    m = Month.parse("2025-01")
    assert str(m.previous()) == "2024-12" and str(m.plus(13)) == "2026-02"
    assert Month(2025, 3).minus(Month(2024, 11)) == 4
    assert Month(2025, 2).day(31) == date(2025, 2, 28)
    for bad in ("2025-13", "2025-1", "25-01", "2025/01"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"due_day": 0},
        {"due_day": 32},
        {"milestones": (D(50), D(18), D(80), D(100))},
        {"milestones": (D(18), D(50), D(80), D(90))},
        {"yellow_from_points": D(40)},
        {"outlier_factor": D(1)},
        {"missing_yellow_months": 0},
        {"stats_yellow_after_months": 3},
    ],
)
def test_an_inconsistent_policy_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy(**kwargs)  # type: ignore[arg-type]


def test_policy_round_trips_through_its_stored_form() -> None:
    policy = Policy(due_day=20, schedule_curve=ScheduleCurve.MILESTONE, yellow_from_points=D("7.5"))
    assert policy_from_data(policy_to_data(policy)) == policy
    assert policy_from_data(None) == Policy() and policy_from_data({"unknown": 1}) == Policy()
