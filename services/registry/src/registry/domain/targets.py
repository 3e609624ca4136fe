"""Target decomposition (目标分解, R1): regional targets against the sum of unit targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from registry.domain.model import TargetScope, is_rate

_CENTS = Decimal("0.01")
_RATIO = Decimal("0.0001")
_ZERO = Decimal(0)


def effective_value(baseline: Decimal, growth_pct: Decimal) -> Decimal:
    """Absolute value of a growth target (同比增长 N%): baseline × (1 + N/100), to 2 places."""
    return (baseline * (1 + growth_pct / 100)).quantize(_CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TargetLine:
    """One 目标任务: a metric and period for the region or for one unit."""

    metric: str
    period: str
    scope: str  # 'region' | 'unit'
    unit_code: str | None
    value: Decimal
    baseline: Decimal | None = None  # previous year's figure, for a growth target (R1)
    growth_pct: Decimal | None = None

    def __post_init__(self) -> None:
        scope = TargetScope(self.scope)  # ValueError names the bad scope
        if scope is TargetScope.UNIT and self.unit_code is None:
            raise ValueError(f"a unit target needs a unit_code ({self.metric} {self.period})")
        if scope is TargetScope.REGION and self.unit_code is not None:
            raise ValueError(f"a regional target has no unit_code ({self.metric} {self.period})")
        if (self.baseline is None) != (self.growth_pct is None):
            raise ValueError(f"a growth target needs both baseline and growth_pct (metric {self.metric})")

    @classmethod
    def growth(
        cls,
        *,
        metric: str,
        period: str,
        scope: str,
        unit_code: str | None,
        baseline: Decimal,
        growth_pct: Decimal,
    ) -> TargetLine:
        """A growth target (同比增长) whose value is computed from its baseline."""
        value = effective_value(baseline, growth_pct)
        return cls(metric, period, scope, unit_code, value, baseline, growth_pct)

    @property
    def effective(self) -> Decimal:
        """The number to reach: derived from the baseline for a growth target, else the stated value."""
        if self.baseline is not None and self.growth_pct is not None:
            return effective_value(self.baseline, self.growth_pct)
        return self.value


_SEVERITY = {
    "under_allocated": "error",
    "no_unit_targets": "error",
    "no_regional_target": "warning",
    "over_allocated": "info",
    "not_additive": "info",
    "balanced": "ok",
}


@dataclass(frozen=True)
class CoverageLine:
    """Coverage (分解覆盖率) of one metric and period; unit_sum is 0 for a rate (not_additive)."""

    metric: str
    period: str
    regional_target: Decimal | None
    unit_sum: Decimal
    unit_count: int
    coverage: Decimal | None  # unit_sum / regional_target, 4 places
    gap: Decimal | None  # regional_target − unit_sum; positive means still to allocate
    flag: str

    @property
    def severity(self) -> str:
        """error / warning / info / ok, as the campaign office should treat the flag (R1)."""
        return _SEVERITY[self.flag]


def coverage_report(lines: Iterable[TargetLine]) -> list[CoverageLine]:
    """Coverage of every (metric, period) that has any target, sorted by metric then period (R1)."""
    groups: dict[tuple[str, str], list[TargetLine]] = {}
    for line in lines:
        groups.setdefault((line.metric, line.period), []).append(line)
    return [_coverage(metric, period, group) for (metric, period), group in sorted(groups.items())]


def _coverage(metric: str, period: str, group: list[TargetLine]) -> CoverageLine:
    regional = [t for t in group if t.scope == TargetScope.REGION]
    units = [t for t in group if t.scope == TargetScope.UNIT]
    if len(regional) > 1:
        raise ValueError(f"two regional targets for {metric} {period}")
    codes = [t.unit_code for t in units]
    if len(set(codes)) != len(codes):
        raise ValueError(f"a unit has two targets for {metric} {period}")
    target = regional[0].effective if regional else None
    if is_rate(metric):
        # A rate cannot be decomposed by adding units' rates (R1): report, do not judge.
        return CoverageLine(metric, period, target, _ZERO, len(units), None, None, "not_additive")
    unit_sum = sum((t.effective for t in units), _ZERO)
    if target is None:
        return CoverageLine(metric, period, None, unit_sum, len(units), None, None, "no_regional_target")
    gap = target - unit_sum
    coverage = (unit_sum / target).quantize(_RATIO, rounding=ROUND_HALF_UP) if target else None
    if not units:
        flag = "no_unit_targets"
    elif gap > 0:  # judged on exact sums, so 99.999% never passes as a rounded 100%
        flag = "under_allocated"
    elif gap < 0:
        flag = "over_allocated"
    else:
        flag = "balanced"
    return CoverageLine(metric, period, target, unit_sum, len(units), coverage, gap, flag)
