"""13710 SLA clocks on the working-day calendar (R7): pure date and time arithmetic.

The calendar comes in as a function `is_workday(date) -> bool`, so that the PRC calendar with its
调休 make-up days (and any configured overrides) is decided outside and tests stay deterministic.
A deadline is the end of a due date: the clock runs out at 00:00 of the next calendar day, in the
time zone of the instant the clock started (Asia/Shanghai in the service).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from escalation.domain.model import Severity

IsWorkday = Callable[[date], bool]

# Far enough for any clock; a calendar with no working day in it is a configuration error.
_MAX_SCAN_DAYS = 366 * 2


class ClockKind(StrEnum):
    """The clocks of 13710: 1 acknowledge (部署), 3 progress (反馈), 7 / 1 resolve (办结)."""

    ACKNOWLEDGE = "acknowledge"
    PROGRESS = "progress"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class SlaRules:
    """R7 defaults; each is configurable."""

    acknowledge_working_days: int = 0  # 0: the same working day as assigned
    progress_working_days: int = 3
    ordinary_resolve_working_days: int = 7
    major_resolve_months: int = 1
    reminder_percents: tuple[int, ...] = (50, 75)


@dataclass(frozen=True)
class ClockPlan:
    kind: ClockKind
    started_at: datetime
    due_date: date
    due_at: datetime  # exclusive: the clock has run out at this instant
    reminders: tuple[tuple[int, datetime], ...]  # (percent, when)


@dataclass(frozen=True)
class Tick:
    """What a running clock owes at one instant."""

    breached: bool
    remind: tuple[int, ...]  # reminders to send now
    skip: tuple[int, ...]  # reminders passed that are no longer worth sending


class CalendarError(ValueError):
    """The calendar has no working day where one is needed."""


def end_of_day(day: date, like: datetime) -> datetime:
    """00:00 of the day after `day`, in the time zone of `like`."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=like.tzinfo)


def first_working_day_on_or_after(day: date, is_workday: IsWorkday) -> date:
    for i in range(_MAX_SCAN_DAYS):
        candidate = day + timedelta(days=i)
        if is_workday(candidate):
            return candidate
    raise CalendarError(f"no working day within {_MAX_SCAN_DAYS} days after {day}")


def nth_working_day_after(day: date, n: int, is_workday: IsWorkday) -> date:
    """The n-th working day after `day` (n = 0: the first working day on or after it)."""
    if n <= 0:
        return first_working_day_on_or_after(day, is_workday)
    count = 0
    for i in range(1, _MAX_SCAN_DAYS):
        candidate = day + timedelta(days=i)
        if is_workday(candidate):
            count += 1
            if count == n:
                return candidate
    raise CalendarError(f"fewer than {n} working days within {_MAX_SCAN_DAYS} days after {day}")


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (01-31 + 1 month = 02-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def due_date(
    kind: ClockKind, start: date, severity: Severity, is_workday: IsWorkday, rules: SlaRules
) -> date:
    """The due date of one clock started on `start` (R7)."""
    if kind is ClockKind.ACKNOWLEDGE:
        return nth_working_day_after(start, rules.acknowledge_working_days, is_workday)
    if kind is ClockKind.PROGRESS:
        return nth_working_day_after(start, rules.progress_working_days, is_workday)
    if severity is Severity.MAJOR:
        # A month is a calendar month; a deadline falling on a rest day moves to the next working day.
        return first_working_day_on_or_after(add_months(start, rules.major_resolve_months), is_workday)
    return nth_working_day_after(start, rules.ordinary_resolve_working_days, is_workday)


def working_seconds(start: datetime, end: datetime, is_workday: IsWorkday) -> float:
    """Seconds between two instants that fall on working days."""
    total = 0.0
    day = start.date()
    while True:
        day_start = datetime.combine(day, time(0), tzinfo=start.tzinfo)
        if day_start >= end:
            return total
        day_end = day_start + timedelta(days=1)
        if is_workday(day):
            total += max(0.0, (min(end, day_end) - max(start, day_start)).total_seconds())
        day += timedelta(days=1)


def instant_at_share(start: datetime, end: datetime, share: float, is_workday: IsWorkday) -> datetime:
    """The instant at which `share` of the clock's working time has elapsed."""
    remaining = share * working_seconds(start, end, is_workday)
    day = start.date()
    while True:
        day_start = datetime.combine(day, time(0), tzinfo=start.tzinfo)
        if day_start >= end:
            return end
        day_end = day_start + timedelta(days=1)
        if is_workday(day):
            lo, hi = max(start, day_start), min(end, day_end)
            span = max(0.0, (hi - lo).total_seconds())
            if span > 0 and remaining <= span:
                return lo + timedelta(seconds=remaining)
            remaining -= span
        day += timedelta(days=1)


def plan_clock(
    kind: ClockKind, started_at: datetime, due: date, is_workday: IsWorkday, percents: Collection[int]
) -> ClockPlan:
    """A clock from `started_at` to the end of `due`, with its reminder instants (R7: 50% and 75%)."""
    if started_at.tzinfo is None:
        raise ValueError("clocks need an aware start instant")
    due_at = end_of_day(due, started_at)
    reminders = tuple(
        (p, instant_at_share(started_at, due_at, p / 100, is_workday))
        for p in sorted(percents)
        if 0 < p < 100
    )
    return ClockPlan(kind=kind, started_at=started_at, due_date=due, due_at=due_at, reminders=reminders)


def assignment_clocks(
    assigned_at: datetime,
    severity: Severity,
    is_workday: IsWorkday,
    rules: SlaRules,
    resolve_by: date | None = None,
) -> list[ClockPlan]:
    """The three clocks 交办 starts (1 / 3 / 7 or 1 month); `resolve_by`: an earlier deadline by hand."""
    start = assigned_at.date()
    plans = []
    for kind in ClockKind:
        due = due_date(kind, start, severity, is_workday, rules)
        if kind is ClockKind.RESOLVE and resolve_by is not None:
            due = resolve_by
        plans.append(plan_clock(kind, assigned_at, due, is_workday, rules.reminder_percents))
    return plans


def resolve_clock(now: datetime, severity: Severity, is_workday: IsWorkday, rules: SlaRules) -> ClockPlan:
    """The resolve clock restarted at a new level of the ladder (R8)."""
    due = due_date(ClockKind.RESOLVE, now.date(), severity, is_workday, rules)
    return plan_clock(ClockKind.RESOLVE, now, due, is_workday, rules.reminder_percents)


def tick(
    *, now: datetime, due_at: datetime, reminders: Mapping[int, datetime], sent: Collection[int]
) -> Tick:
    """Reminders and breach owed by a running clock at `now`.

    When time has jumped (a replica was down, or a test moved the clock), only the latest passed
    reminder is sent, and none once the clock has run out: the breach says it all.
    """
    pending = sorted(p for p in reminders if p not in sent)
    if now >= due_at:
        return Tick(breached=True, remind=(), skip=tuple(pending))
    passed = [p for p in pending if reminders[p] <= now]
    if not passed:
        return Tick(breached=False, remind=(), skip=())
    return Tick(breached=False, remind=(passed[-1],), skip=tuple(passed[:-1]))
