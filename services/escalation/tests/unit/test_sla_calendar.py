"""13710 clocks on the PRC working-day calendar with 调休 make-up days (R7), table-driven over real dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from escalation.adapters.calendar import prc_calendar
from escalation.domain.model import Severity
from escalation.domain.sla import (
    ClockKind,
    SlaRules,
    add_months,
    assignment_clocks,
    end_of_day,
    instant_at_share,
    resolve_clock,
    tick,
    working_seconds,
)

SH = ZoneInfo("Asia/Shanghai")
D = date.fromisoformat
RULES = SlaRules()
PRC = prc_calendar()


def at(day: str, hh: int = 10, mm: int = 0) -> datetime:
    return datetime.combine(D(day), datetime.min.time(), tzinfo=SH).replace(hour=hh, minute=mm)


# (assigned Friday, its 调休 make-up weekend day, acknowledge by, progress by, ordinary resolve by)
FRIDAYS_BEFORE_MAKEUP_WEEKENDS = [
    # 2024 Spring Festival: Sun 02-04 is a working day, 02-10..02-17 off, Sun 02-18 a working day.
    ("2024-02-02", "2024-02-04", "2024-02-02", "2024-02-06", "2024-02-18"),
    # 2023 National Day: Fri 10-06 is a holiday, Sat 10-07 and Sun 10-08 are working days.
    ("2023-10-06", "2023-10-07", "2023-10-07", "2023-10-09", "2023-10-13"),
    # 2024 May Day: Sun 04-28 worked, 05-01..05-05 off.
    ("2024-04-26", "2024-04-28", "2024-04-26", "2024-04-30", "2024-05-09"),
    # 2024 May Day: Sat 05-11 worked.
    ("2024-05-10", "2024-05-11", "2024-05-10", "2024-05-14", "2024-05-20"),
    # 2024 Mid-Autumn: Sat 09-14 worked, 09-15..09-17 off.
    ("2024-09-13", "2024-09-14", "2024-09-13", "2024-09-19", "2024-09-25"),
    # 2024 National Day: Sun 09-29 worked, 10-01..10-07 off, Sat 10-12 worked (the resolve day itself).
    ("2024-09-27", "2024-09-29", "2024-09-27", "2024-10-08", "2024-10-12"),
    # 2025 Spring Festival: Sun 01-26 worked, 01-28..02-04 off.
    ("2025-01-24", "2025-01-26", "2025-01-24", "2025-02-05", "2025-02-10"),
]


@pytest.mark.parametrize(("friday", "makeup", "ack", "progress", "resolve"), FRIDAYS_BEFORE_MAKEUP_WEEKENDS)
def test_ordinary_problem_assigned_on_friday_before_makeup_weekend_gets_1_3_7_working_day_clocks(
    friday: str, makeup: str, ack: str, progress: str, resolve: str
) -> None:
    # the premise of each row, checked against the maintained calendar package itself
    assert D(friday).weekday() == 4 and D(makeup).weekday() >= 5
    assert chinese_calendar.is_workday(D(makeup)), f"{makeup} must be a 调休 make-up working day"

    clocks = {c.kind: c for c in assignment_clocks(at(friday), Severity.ORDINARY, PRC, RULES)}

    assert clocks[ClockKind.ACKNOWLEDGE].due_date == D(ack)
    assert clocks[ClockKind.PROGRESS].due_date == D(progress)
    assert clocks[ClockKind.RESOLVE].due_date == D(resolve)
    for c in clocks.values():  # each clock runs out at the end of its due day, Shanghai time
        assert c.due_at == datetime.combine(c.due_date + timedelta(days=1), datetime.min.time(), tzinfo=SH)
        assert PRC(c.due_date)


def test_the_makeup_day_counts_and_the_plain_weekend_does_not() -> None:
    # Without 调休, the 2024-02-02 resolve day would be a plain Mon–Fri count.
    weekdays_only = assignment_clocks(at("2024-02-02"), Severity.ORDINARY, lambda d: d.weekday() < 5, RULES)
    with_prc = assignment_clocks(at("2024-02-02"), Severity.ORDINARY, PRC, RULES)
    assert [c.due_date for c in weekdays_only] == [D("2024-02-02"), D("2024-02-07"), D("2024-02-13")]
    assert [c.due_date for c in with_prc] == [D("2024-02-02"), D("2024-02-06"), D("2024-02-18")]


@pytest.mark.parametrize(
    ("assigned", "resolve"),
    [
        ("2024-01-31", "2024-02-29"),  # a month later, clamped to the leap day (a working day)
        (
            "2024-01-10",
            "2024-02-18",
        ),  # 02-10 is Spring Festival: the next working day is make-up Sunday 02-18
        ("2023-09-06", "2023-10-07"),  # 10-06 is National Day: next working day is make-up Saturday 10-07
        ("2024-03-15", "2024-04-15"),
    ],
)
def test_major_problem_resolves_within_one_calendar_month(assigned: str, resolve: str) -> None:
    clocks = {c.kind: c for c in assignment_clocks(at(assigned), Severity.MAJOR, PRC, RULES)}
    assert clocks[ClockKind.RESOLVE].due_date == D(resolve)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-12-15", 1, "2025-01-15"),
        ("2024-11-30", 3, "2025-02-28"),
        ("2024-05-31", -1, "2024-04-30"),
    ],
)
def test_add_months_clamps_to_month_end(day: str, months: int, expected: str) -> None:
    assert add_months(D(day), months) == D(expected)


def test_configured_days_override_and_extend_the_package_for_unknown_years() -> None:
    # The package does not know 2027 yet; the office configures the published 2027 调休.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D("2027-02-08"))
    holidays = [D("2027-02-05") + timedelta(days=i) for i in range(9)]  # Fri 02-05 .. Sat 02-13 off
    cal = prc_calendar(extra_workdays=[D("2027-02-14")], extra_holidays=holidays)  # Sunday 02-14 worked
    clocks = {c.kind: c.due_date for c in assignment_clocks(at("2027-02-04"), Severity.ORDINARY, cal, RULES)}
    assert clocks == {
        ClockKind.ACKNOWLEDGE: D("2027-02-04"),
        ClockKind.PROGRESS: D("2027-02-16"),
        ClockKind.RESOLVE: D("2027-02-22"),
    }
    assert cal(D("2027-03-01")) and not cal(D("2027-03-06"))  # unknown days fall back to Monday–Friday
    # overrides win over the package on known years too
    assert not prc_calendar(extra_holidays=[D("2024-03-01")])(D("2024-03-01"))
    assert prc_calendar(extra_workdays=[D("2024-03-02")])(D("2024-03-02"))


def test_assigned_on_a_holiday_counts_from_the_next_working_day() -> None:
    clocks = {c.kind: c for c in assignment_clocks(at("2024-02-12"), Severity.ORDINARY, PRC, RULES)}
    assert clocks[ClockKind.ACKNOWLEDGE].due_date == D("2024-02-18")  # make-up Sunday
    assert clocks[ClockKind.PROGRESS].due_date == D("2024-02-20")
    assert clocks[ClockKind.RESOLVE].due_date == D("2024-02-26")


def test_reminders_fall_at_50_and_75_percent_of_working_time() -> None:
    ack, progress, resolve = assignment_clocks(at("2024-02-02", 10), Severity.ORDINARY, PRC, RULES)
    # 10:00 until midnight is 14 working hours: 50% at 17:00, 75% at 20:30
    assert ack.reminders == ((50, at("2024-02-02", 17)), (75, at("2024-02-02", 20, 30)))
    # Fri 14h + 02-04..02-09 (6 × 24h) + 02-18 (24h) = 182h; 91h and 136.5h in, the holiday skipped
    assert working_seconds(resolve.started_at, resolve.due_at, PRC) == 182 * 3600
    assert resolve.reminders == ((50, at("2024-02-07", 5)), (75, at("2024-02-09", 2, 30)))
    # all of the working time is used up only at the end of make-up Sunday 02-18, not before the holiday
    assert instant_at_share(resolve.started_at, resolve.due_at, 1.0, PRC) == resolve.due_at
    assert progress.reminders[0][1] < progress.reminders[1][1] < progress.due_at


def test_restarted_resolve_clock_on_escalation_counts_from_the_escalation() -> None:
    plan = resolve_clock(at("2024-02-19", 0, 1), Severity.ORDINARY, PRC, RULES)
    assert plan.kind is ClockKind.RESOLVE and plan.due_date == D("2024-02-28")


def test_end_of_day_is_next_midnight_in_the_same_zone() -> None:
    assert end_of_day(D("2024-02-18"), at("2024-02-02")) == datetime(2024, 2, 19, tzinfo=SH)


DUE = at("2024-02-10", 0)
REMIND = {50: at("2024-02-05", 0), 75: at("2024-02-08", 0)}


@pytest.mark.parametrize(
    ("now", "sent", "breached", "remind", "skip"),
    [
        (at("2024-02-04"), [], False, (), ()),
        (at("2024-02-05", 0), [], False, (50,), ()),
        (at("2024-02-06"), [50], False, (), ()),
        (at("2024-02-08", 1), [50], False, (75,), ()),
        (at("2024-02-08", 1), [], False, (75,), (50,)),  # time jumped: only the latest reminder is sent
        (at("2024-02-09", 23, 59), [50, 75], False, (), ()),
        (DUE, [50, 75], True, (), ()),
        (DUE + timedelta(days=30), [], True, (), (50, 75)),  # once run out, the breach says it all
    ],
)
def test_tick_owes_reminders_then_the_breach(
    now: datetime, sent: list[int], breached: bool, remind: tuple[int, ...], skip: tuple[int, ...]
) -> None:
    owed = tick(now=now, due_at=DUE, reminders=REMIND, sent=sent)
    assert (owed.breached, owed.remind, owed.skip) == (breached, remind, skip)
