"""亮灯 (R3): investment, start and 入统 lights of a project, and the light of a unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from progress.domain.model import WORKING_STATUSES, BuildType, ConstructionStatus, Light, Month, worst
from progress.domain.policy import Policy
from progress.domain.schedule import actual_share, gap_points


@dataclass(frozen=True)
class Verdict:
    """A light with the reason a clerk reads, and the gap for investment lights."""

    light: Light
    reason: str
    gap_points: Decimal | None = None


def light_for_gap(gap: Decimal, policy: Policy) -> Light:
    """R3 thresholds: green gap < 10, yellow 10 ≤ gap ≤ 30, red gap > 30 (configurable)."""
    if gap < policy.yellow_from_points:
        return Light.GREEN
    if gap <= policy.red_above_points:
        return Light.YELLOW
    return Light.RED


def _pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.1'))}%"


def investment_light(
    *, expected: Decimal, done: Decimal, plan: Decimal, policy: Policy, what: str = "年度计划"
) -> Verdict | None:
    """Gap between the expected share (序时进度) and done / plan; None when there is no plan."""
    share = actual_share(done, plan)
    if share is None:
        return None
    gap = gap_points(expected, share)
    light = light_for_gap(gap, policy)
    reason = (
        f"完成{what} {_pct(share)} ({done}/{plan} 万元), 序时进度 {_pct(expected)}, "
        f"差距 {gap} 个百分点 ({light.value}: 绿 < {policy.yellow_from_points}, "
        f"红 > {policy.red_above_points})"
    )
    return Verdict(light, reason, gap)


def start_light(
    *, build_type: str, planned_start: date | None, status: str | None, month: Month, policy: Policy
) -> Verdict | None:
    """新建 projects: yellow once the planned start month ends without a start, red 3 months later."""
    if build_type != BuildType.NEW or planned_start is None:
        return None
    if status is not None and ConstructionStatus(status) in WORKING_STATUSES:
        return Verdict(Light.GREEN, "已开工")
    planned = Month.of(planned_start)
    delay = month.minus(planned)
    if delay < 0:
        return Verdict(Light.GREEN, f"计划 {planned} 开工, 尚未到期")
    light = Light.RED if delay >= policy.start_red_after_months else Light.YELLOW
    return Verdict(light, f"计划 {planned} 开工, 截至 {month} 未开工 (逾期 {delay} 个月)")


def stats_light(
    *,
    status: str | None,
    actual_start_date: date | None,
    stats_registered: bool,
    month: Month,
    policy: Policy,
) -> Verdict | None:
    """入统: yellow if not registered 1 month after the start, red after 2 (configurable)."""
    if status is None or ConstructionStatus(status) not in WORKING_STATUSES or actual_start_date is None:
        return None
    if stats_registered:
        return Verdict(Light.GREEN, "已入统")
    since = month.minus(Month.of(actual_start_date))
    if since >= policy.stats_red_after_months:
        light = Light.RED
    elif since >= policy.stats_yellow_after_months:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return Verdict(light, f"{actual_start_date} 开工, 截至 {month} 未入统 ({since} 个月)")


def missing_light(consecutive_missing_months: int, policy: Policy) -> Verdict:
    """Unit reporting discipline: one month with missing reports is yellow, two in a row red."""
    n = consecutive_missing_months
    if n >= policy.missing_red_months:
        return Verdict(Light.RED, f"连续 {n} 个月有项目未报")
    if n >= policy.missing_yellow_months:
        return Verdict(Light.YELLOW, f"{n} 个月有项目未报")
    return Verdict(Light.GREEN, "按时报送")


def unit_light(*, investment: Verdict | None, missing: Verdict) -> Verdict:
    """A unit's light is the worst of its investment completion vs target and its missing reports."""
    light = worst(investment.light if investment else None, missing.light)
    parts = [v.reason for v in (investment, missing) if v is not None and v.light == light]
    return Verdict(light, "; ".join(parts), investment.gap_points if investment else None)


def consecutive_missing(missing_by_month: list[bool]) -> int:
    """How many months in a row, counting back from the last, had missing reports."""
    n = 0
    for missing in reversed(missing_by_month):
        if not missing:
            break
        n += 1
    return n
