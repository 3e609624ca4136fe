"""Registry vocabulary (SPEC §3) and the project lifecycle (项目阶段) state machine."""

from __future__ import annotations

from enum import StrEnum

from diaodu_platform.vocabulary import (
    BuildType,
    ConstructionStatus,
    KeyLevel,
    ProcedureItem,
    ProcedureState,
    Stage,
    UnitKind,
)

__all__ = [
    "BuildType",
    "ConstructionStatus",
    "KeyLevel",
    "ProcedureItem",
    "ProcedureState",
    "Stage",
    "UnitKind",
]


class TargetScope(StrEnum):
    """Whom a 目标任务 binds: the whole region or one unit."""

    REGION = "region"
    UNIT = "unit"


class Metric(StrEnum):
    """目标任务 metric (R1, R11); amounts in 万元, counts in projects, rates as ratios."""

    FIXED_ASSET_INVESTMENT = "fixed_asset_investment"  # 固定资产投资
    INDUSTRIAL_INVESTMENT = "industrial_investment"  # 产业投资
    PRIVATE_INVESTMENT = "private_investment"  # 民间投资
    FIRST_INDUSTRY_INVESTMENT = "first_industry_investment"  # 第一产业投资
    RESERVE_COUNT = "reserve_count"  # 储备项目数
    RESERVE_INVESTMENT = "reserve_investment"  # 储备项目投资
    SIGNED_AMOUNT = "signed_amount"  # 签约额
    NEW_START_INVESTMENT = "new_start_investment"  # 新开工项目计划投资
    FUNDS_IN_PLACE = "funds_in_place"  # 到位资金
    KEY_PROJECT_INVESTMENT = "key_project_investment"  # 重点工程投资
    LARGE_PROJECT_COUNT_10_50YI = "large_project_count_10_50yi"  # 10–50 亿元项目数 (R11)
    LARGE_PROJECT_COUNT_5_10YI = "large_project_count_5_10yi"  # 5–10 亿元项目数 (R11)
    ABOVE_SIZE_ENTERPRISE_COUNT = "above_size_enterprise_count"  # 新增入规企业数 (R9)
    SIGNED_PROJECT_COUNT = "signed_project_count"  # 签约项目数
    NEW_START_RATE = "new_start_rate"  # 新建开工率
    RESTART_RATE = "restart_rate"  # 复工率
    START_RATE = "start_rate"  # 开复工率
    PROCEDURE_COMPLETION_RATE = "procedure_completion_rate"  # 手续办结率
    SAME_YEAR_START_RATE = "same_year_start_rate"  # 当年开工率


_RATE_METRICS = frozenset(
    {
        Metric.NEW_START_RATE,
        Metric.RESTART_RATE,
        Metric.START_RATE,
        Metric.PROCEDURE_COMPLETION_RATE,
        Metric.SAME_YEAR_START_RATE,
    }
)
_COUNT_METRICS = frozenset(
    {
        Metric.RESERVE_COUNT,
        Metric.LARGE_PROJECT_COUNT_10_50YI,
        Metric.LARGE_PROJECT_COUNT_5_10YI,
        Metric.ABOVE_SIZE_ENTERPRISE_COUNT,
        Metric.SIGNED_PROJECT_COUNT,
    }
)


def is_rate(metric: str) -> bool:
    """True for a rate (率) metric, which cannot be decomposed by adding unit targets (R1)."""
    return metric in _RATE_METRICS


def is_count(metric: str) -> bool:
    """True for a metric counted in projects (个) rather than 万元."""
    return metric in _COUNT_METRICS


STAGE_LABELS: dict[Stage, str] = {
    Stage.PLANNED: "谋划",
    Stage.RESERVE: "储备",
    Stage.PRELIMINARY: "前期",
    Stage.CONSTRUCTION: "在建",
    Stage.COMPLETED: "竣工",
    Stage.CANCELLED: "已取消",
}

# A project may step back one stage (e.g. 前期 → 储备 when a procedure falls through), but once
# under construction it can only finish or be cancelled; a cancelled project may be revived as 谋划.
ALLOWED_TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.PLANNED: frozenset({Stage.RESERVE, Stage.CANCELLED}),
    Stage.RESERVE: frozenset({Stage.PRELIMINARY, Stage.PLANNED, Stage.CANCELLED}),
    Stage.PRELIMINARY: frozenset({Stage.CONSTRUCTION, Stage.RESERVE, Stage.CANCELLED}),
    Stage.CONSTRUCTION: frozenset({Stage.COMPLETED, Stage.CANCELLED}),
    Stage.COMPLETED: frozenset(),
    Stage.CANCELLED: frozenset({Stage.PLANNED}),
}

_LIFECYCLE_ORDER = list(Stage)


def _label(stage: Stage) -> str:
    return f"{STAGE_LABELS[stage]}({stage.value})"


class IllegalStageTransition(ValueError):
    """A stage change the lifecycle does not allow (项目阶段变更不合法)."""

    def __init__(self, current: Stage, requested: Stage, allowed: frozenset[Stage] | list[Stage]) -> None:
        self.current = current
        self.requested = requested
        # Sorted in lifecycle order, so a clerk reads them as the stages run.
        self.allowed: list[Stage] = sorted(allowed, key=_LIFECYCLE_ORDER.index)
        nexts = ", ".join(s.value for s in self.allowed) or f"none ({current.value} is final)"
        super().__init__(
            f"项目阶段不能从 {_label(current)} 变为 {_label(requested)}; allowed next stages: {nexts}"
        )


def check_transition(current: Stage, new: Stage) -> None:
    """Refuse a stage change (阶段变更) the lifecycle does not allow, including no change at all."""
    current, new = Stage(current), Stage(new)  # tolerate plain strings from rows and payloads
    allowed = ALLOWED_TRANSITIONS[current]
    if new not in allowed:
        raise IllegalStageTransition(current, new, allowed)
