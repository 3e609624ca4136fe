"""When the system raises a problem by itself, from the progress service's facts.

- A project whose investment light turned red in month M and is still red for month M+1: either a
  `light_changed` for M+1 (or later) says red again, or month M+1's reporting has closed
  (start of M+2, plus a grace for late processing) with no change of light away from red.
- A project whose monthly report was overdue in two consecutive months.
Each episode has a key, so one episode raises one problem however often its facts are replayed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

RED = "red"


def month_add(month: str, n: int) -> str:
    """'2024-03' + 1 = '2024-04'."""
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + mon - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(month: str) -> date:
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1)


@dataclass(frozen=True)
class LightState:
    """A project's current light of one kind, and since which month it has been red."""

    light: str
    month: str
    red_since: str | None


def apply_light(state: LightState | None, *, month: str, light: str) -> LightState:
    """The state after a `light_changed` for `month`; an event older than the state changes nothing."""
    if state is not None and month < state.month:
        return state
    if light != RED:
        return LightState(light=light, month=month, red_since=None)
    red_since = state.red_since if state is not None and state.light == RED and state.red_since else month
    return LightState(light=light, month=month, red_since=min(red_since, month))


def red_for_second_month(state: LightState) -> bool:
    """A light event itself shows red for the month after the one it turned red."""
    return state.red_since is not None and state.light == RED and state.month >= month_add(state.red_since, 1)


def red_second_month_closed(red_since: str, today: date, grace_days: int) -> bool:
    """Month M+1's reporting has closed and no change away from red came (time path)."""
    return today >= month_start(month_add(red_since, 2)) + timedelta(days=grace_days)


def red_light_key(project_id: str, red_since: str) -> str:
    return f"red_light:{project_id}:{red_since}"


def overdue_streak_start(overdue_months: Collection[str], month: str) -> str | None:
    """The first month of a run of ≥ 2 consecutive overdue months ending at `month`, else None."""
    if month not in overdue_months or month_add(month, -1) not in overdue_months:
        return None
    start = month_add(month, -1)
    while month_add(start, -1) in overdue_months:
        start = month_add(start, -1)
    return start


def reports_overdue_key(project_id: str, streak_start: str) -> str:
    return f"reports_overdue:{project_id}:{streak_start}"
