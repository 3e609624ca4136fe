"""Reporting window (R5, 月初建账、月中对账、月底交账): due dates, reminders, lateness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from progress.domain.model import REPORTING_STAGES, Month, Stage
from progress.domain.policy import Policy

SHANGHAI = ZoneInfo("Asia/Shanghai")


def due_date(month: Month, policy: Policy) -> date:
    """The day a month's report is due: the policy's day (clamped), or the month's last day."""
    return month.last_day if policy.due_day is None else month.day(policy.due_day)


def deadline(month: Month, policy: Policy) -> datetime:
    """The instant the month closes: the end of its due day, Asia/Shanghai."""
    return datetime.combine(due_date(month, policy) + timedelta(days=1), time(0), SHANGHAI)


def reminder_date(month: Month, policy: Policy) -> date:
    return due_date(month, policy) - timedelta(days=policy.reminder_days_before)


def is_late(month: Month, at: datetime, policy: Policy) -> bool:
    """True when a report (or a correction) for `month` arrives after the month closed."""
    return at >= deadline(month, policy)


def latest_closed_month(at: datetime, policy: Policy) -> Month:
    """The most recent month whose deadline has passed at `at` (the month lights are judged on)."""
    current = Month.of(at.astimezone(SHANGHAI).date())
    return current if at >= deadline(current, policy) else current.previous()


@dataclass(frozen=True)
class DeadlineDue:
    """What the deadline job owes for one month at one instant."""

    month: Month
    due_date: date
    remind: bool  # in the reminder window: remind units of their missing reports
    overdue: bool  # past the deadline: every missing report is overdue


def deadlines_due(at: datetime, policy: Policy) -> list[DeadlineDue]:
    """The current and previous month's duties at `at`; the job records each under a unique key."""
    today = at.astimezone(SHANGHAI).date()
    current = Month.of(today)
    out = []
    for month in (current.previous(), current):
        closes = deadline(month, policy)
        out.append(
            DeadlineDue(
                month=month,
                due_date=due_date(month, policy),
                remind=reminder_date(month, policy) <= today and at < closes,
                overdue=at >= closes,
            )
        )
    return out


def is_required(*, stage: str, registered_at: datetime, month: Month, policy: Policy) -> bool:
    """A 前期 or 在建 project owes a report for `month` if it was registered before the month closed."""
    return Stage(stage) in REPORTING_STAGES and registered_at < deadline(month, policy)
