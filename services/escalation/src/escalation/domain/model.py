"""The problem loop (发现 → 交办 → 办理 → 督办 → 销号) as a state machine, and the ladder (R7, R8)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Category(StrEnum):
    """问题类别."""

    LAND = "land"  # 用地
    DEMOLITION = "demolition"  # 征拆
    FUNDING = "funding"  # 资金
    APPROVAL = "approval"  # 审批手续
    ENVIRONMENT = "environment"  # 环保
    ENERGY = "energy"  # 能耗
    OTHER = "other"


class Severity(StrEnum):
    """一般 / 重大(复杂) problem: they have different resolve clocks (R7)."""

    ORDINARY = "ordinary"
    MAJOR = "major"


class Status(StrEnum):
    RAISED = "raised"  # 发现: not yet assigned
    ASSIGNED = "assigned"  # 交办
    ACKNOWLEDGED = "acknowledged"  # 部署 (the "1" of 13710)
    IN_PROGRESS = "in_progress"  # 办理, at least one progress note
    RESOLVED = "resolved"  # 销号
    REOPENED = "reopened"


OPEN_STATUSES = frozenset(s for s in Status if s is not Status.RESOLVED)


class Level(IntEnum):
    """分层分级 (R8)."""

    UNIT = 1  # the owning unit
    LEADER = 2  # the 包联/分管 leader
    COUNTY_MEETING = 3  # 县政府会议


class Source(StrEnum):
    UNIT = "unit"  # raised by a unit (or the office) by hand
    SYSTEM = "system"  # raised by this service from progress events


class Trigger(StrEnum):
    """Why the system raised a problem by itself."""

    RED_LIGHT = "red_light"  # investment light red for a second month
    REPORTS_OVERDUE = "reports_overdue"  # two consecutive monthly reports overdue


class Action(StrEnum):
    """Every transition kept in a problem's history."""

    RAISE = "raise"
    ASSIGN = "assign"
    ACKNOWLEDGE = "acknowledge"
    PROGRESS = "progress"
    FILE_PLAN = "file_plan"
    ESCALATE = "escalate"
    ISSUE_NOTICE = "issue_notice"
    ADD_MEETING_ITEM = "add_meeting_item"
    BREACH = "breach"
    RESOLVE = "resolve"
    REOPEN = "reopen"


# Which statuses each command may start from, and where it leads (None: the status does not change).
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ASSIGN: (frozenset({Status.RAISED}), Status.ASSIGNED),
    Action.ACKNOWLEDGE: (frozenset({Status.ASSIGNED, Status.REOPENED}), Status.ACKNOWLEDGED),
    Action.PROGRESS: (frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS}), Status.IN_PROGRESS),
    Action.FILE_PLAN: (frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS}), Status.IN_PROGRESS),
    Action.ESCALATE: (OPEN_STATUSES - {Status.RAISED}, None),
    Action.ISSUE_NOTICE: (OPEN_STATUSES, None),
    Action.RESOLVE: (OPEN_STATUSES, Status.RESOLVED),
    Action.REOPEN: (frozenset({Status.RESOLVED}), Status.REOPENED),
}


class IllegalTransition(Exception):
    """A command that the problem's current status does not allow."""

    def __init__(self, action: Action, status: Status, allowed_from: frozenset[Status]) -> None:
        self.action = action
        self.status = status
        self.allowed_from = sorted(allowed_from)
        super().__init__(
            f"cannot {action.value.replace('_', ' ')} a problem that is {status.value}; "
            f"allowed when it is {', '.join(s.value for s in self.allowed_from)}"
        )


def next_status(action: Action, status: Status) -> Status:
    """The status after `action`, or IllegalTransition."""
    allowed_from, to = TRANSITIONS[action]
    if status not in allowed_from:
        raise IllegalTransition(action, status, allowed_from)
    return to or status


def next_level(level: int) -> int | None:
    """One step up the ladder (R8); None at the county meeting, the top."""
    return level + 1 if level < Level.COUNTY_MEETING else None


def notice_number(year: int, seq: int) -> str:
    """督办函 number, unique per year: 督办〔2026〕第0001号."""
    return f"督办〔{year}〕第{seq:04d}号"
