"""The problem loop's state machine, the ladder, notice numbers and the system triggers (R7, R8)."""

from __future__ import annotations

from datetime import date

import pytest

from escalation.domain.model import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    Level,
    Status,
    next_level,
    next_status,
    notice_number,
)
from escalation.domain.triggers import (
    LightState,
    apply_light,
    month_add,
    overdue_streak_start,
    red_for_second_month,
    red_second_month_closed,
)

S = Status
ALLOWED = [
    (Action.ASSIGN, S.RAISED, S.ASSIGNED),
    (Action.ACKNOWLEDGE, S.ASSIGNED, S.ACKNOWLEDGED),
    (Action.ACKNOWLEDGE, S.REOPENED, S.ACKNOWLEDGED),
    (Action.PROGRESS, S.ACKNOWLEDGED, S.IN_PROGRESS),
    (Action.PROGRESS, S.IN_PROGRESS, S.IN_PROGRESS),
    (Action.FILE_PLAN, S.IN_PROGRESS, S.IN_PROGRESS),
    (Action.ESCALATE, S.ASSIGNED, S.ASSIGNED),
    (Action.ESCALATE, S.IN_PROGRESS, S.IN_PROGRESS),
    (Action.RESOLVE, S.RAISED, S.RESOLVED),
    (Action.RESOLVE, S.IN_PROGRESS, S.RESOLVED),
    (Action.RESOLVE, S.REOPENED, S.RESOLVED),
    (Action.REOPEN, S.RESOLVED, S.REOPENED),
]
REFUSED = [
    (Action.ASSIGN, S.ASSIGNED),
    (Action.ACKNOWLEDGE, S.RAISED),
    (Action.PROGRESS, S.ASSIGNED),
    (Action.ESCALATE, S.RAISED),  # an unassigned problem has no clock to miss
    (Action.ESCALATE, S.RESOLVED),
    (Action.ISSUE_NOTICE, S.RESOLVED),
    (Action.RESOLVE, S.RESOLVED),  # closed only once; reopen first
    (Action.REOPEN, S.IN_PROGRESS),
]


@pytest.mark.parametrize(("action", "status", "expected"), ALLOWED)
def test_allowed_transition(action: Action, status: Status, expected: Status) -> None:
    assert next_status(action, status) is expected


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_refused_transition_names_the_allowed_statuses(action: Action, status: Status) -> None:
    with pytest.raises(IllegalTransition) as exc:
        next_status(action, status)
    assert status not in exc.value.allowed_from
    assert status.value in str(exc.value)


def test_every_command_except_reopen_leaves_resolved_alone() -> None:
    for action, (allowed_from, _) in TRANSITIONS.items():
        assert (S.RESOLVED in allowed_from) == (action is Action.REOPEN)


def test_ladder_climbs_unit_leader_meeting_and_stops_at_the_top() -> None:
    assert next_level(Level.UNIT) == Level.LEADER
    assert next_level(Level.LEADER) == Level.COUNTY_MEETING
    assert next_level(Level.COUNTY_MEETING) is None


@pytest.mark.parametrize(
    ("year", "seq", "number"),
    [
        (2026, 1, "督办〔2026〕第0001号"),
        (2024, 37, "督办〔2024〕第0037号"),
        (2025, 12345, "督办〔2025〕第12345号"),
    ],
)
def test_notice_number_format(year: int, seq: int, number: str) -> None:
    assert notice_number(year, seq) == number


@pytest.mark.parametrize(
    ("events", "red_since", "second_month"),
    [
        ([("2024-03", "red")], "2024-03", False),
        ([("2024-02", "yellow"), ("2024-03", "red"), ("2024-04", "red")], "2024-03", True),
        ([("2024-03", "red"), ("2024-04", "yellow")], None, False),
        ([("2024-03", "red"), ("2024-04", "green"), ("2024-05", "red")], "2024-05", False),
        ([("2024-03", "red"), ("2024-05", "red")], "2024-03", True),
        ([("2024-04", "red"), ("2024-03", "green")], "2024-04", False),  # an older month changes nothing
        ([("2024-03", "red"), ("2024-03", "red")], "2024-03", False),  # a redelivery is not a second month
    ],
)
def test_light_state_tracks_since_when_a_project_is_red(
    events: list[tuple[str, str]], red_since: str | None, second_month: bool
) -> None:
    state: LightState | None = None
    for month, light in events:
        state = apply_light(state, month=month, light=light)
    assert state is not None
    assert state.red_since == red_since
    assert red_for_second_month(state) is second_month


@pytest.mark.parametrize(
    ("today", "grace", "closed"),
    [("2024-04-30", 0, False), ("2024-05-01", 0, True), ("2024-05-03", 3, False), ("2024-05-04", 3, True)],
)
def test_red_since_march_counts_as_a_second_red_month_once_april_has_closed(
    today: str, grace: int, closed: bool
) -> None:
    assert red_second_month_closed("2024-03", date.fromisoformat(today), grace) is closed


@pytest.mark.parametrize(
    ("months", "month", "start"),
    [
        ({"2024-03"}, "2024-03", None),
        ({"2024-03", "2024-04"}, "2024-04", "2024-03"),
        ({"2024-02", "2024-03", "2024-04"}, "2024-04", "2024-02"),  # a longer run is still one episode
        ({"2024-01", "2024-03"}, "2024-03", None),
        ({"2023-12", "2024-01"}, "2024-01", "2023-12"),
    ],
)
def test_two_consecutive_overdue_reports(months: set[str], month: str, start: str | None) -> None:
    assert overdue_streak_start(months, month) == start


def test_month_add_crosses_years() -> None:
    assert month_add("2024-12", 1) == "2025-01"
    assert month_add("2024-01", -1) == "2023-12"
    assert month_add("2024-03", 2) == "2024-05"
