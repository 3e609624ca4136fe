"""Milestones (R10), the schedule share (R2) and the target attainment board's light (R3).

The default milestone curve is 18 % / 50 % / 80 % / 100 % of the annual target by the end of
Q1..Q4; between quarter ends the expected share is interpolated by month (R2, the Yangquan seed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scoring.domain.indicators import EnterpriseFact, ProjectFact

_ZERO = Decimal(0)
_SHARE = Decimal("0.0001")
_CENTS = Decimal("0.01")


def expected_share(curve: Sequence[Decimal], month: int) -> Decimal:
    """Share of the annual target due by the end of `month` (1..12), interpolated between quarters."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    q, within = divmod(month, 3)
    if within == 0:
        return curve[q - 1]
    before = curve[q - 1] if q else _ZERO
    return (before + (curve[q] - before) * within / 3).quantize(_SHARE, rounding=ROUND_HALF_UP)


def in_scope(
    unit_code: str | None,
    projects: Sequence[ProjectFact],
    enterprises: Mapping[str, Sequence[EnterpriseFact]],
) -> tuple[list[ProjectFact], list[EnterpriseFact]]:
    """The projects and enterprises of one unit, or of the whole region (`unit_code` None)."""
    if unit_code is None:
        return list(projects), [e for es in enterprises.values() for e in es]
    return [p for p in projects if p.unit_code == unit_code], list(enterprises.get(unit_code, []))


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


# How each R1 metric's actual is measured from the projections; None = not derivable from events
# this service receives (e.g. the R6 rates, which the progress service computes).
def metric_actual(
    metric: str, projects: Sequence[ProjectFact], enterprises: Sequence[EnterpriseFact]
) -> Decimal | None:
    """The year-to-date actual of one metric over the given projects (one unit's, or the region's)."""
    if metric == "fixed_asset_investment":
        return _sum(p.investment for p in projects)
    if metric == "industrial_investment":
        return _sum(p.investment for p in projects if p.is_industrial)
    if metric == "private_investment":
        return _sum(p.investment for p in projects if p.is_private)
    if metric == "key_project_investment":
        return _sum(p.investment for p in projects if p.key_level)
    if metric == "signed_amount":
        return _sum(p.signed_amount for p in projects if p.is_signed)
    if metric == "funds_in_place":
        return _sum(p.funds_in_place for p in projects if p.is_signed)
    if metric == "signed_project_count":
        return Decimal(sum(1 for p in projects if p.is_signed))
    if metric == "new_start_investment":
        return _sum(p.total_investment for p in projects if p.build_type == "new" and p.started)
    if metric == "reserve_count":
        return Decimal(sum(1 for p in projects if p.stage in ("planned", "reserve", "preliminary")))
    if metric == "reserve_investment":
        return _sum(p.total_investment for p in projects if p.stage in ("planned", "reserve", "preliminary"))
    if metric == "above_size_enterprise_count":
        return Decimal(len({e.name for e in enterprises}))
    return None


@dataclass(frozen=True)
class MilestoneResult:
    expected_share: Decimal
    expected_value: Decimal
    actual: Decimal
    actual_share: Decimal | None
    shortfall: Decimal
    missed: bool


def check_milestone(annual_target: Decimal, actual: Decimal, share: Decimal) -> MilestoneResult:
    """Is `actual` at least `share` of the annual target? (R10)"""
    expected = (annual_target * share).quantize(_CENTS, rounding=ROUND_HALF_UP)
    actual_share = (
        (actual / annual_target).quantize(_SHARE, rounding=ROUND_HALF_UP) if annual_target > 0 else None
    )
    shortfall = max(expected - actual, _ZERO)
    return MilestoneResult(share, expected, actual, actual_share, shortfall, actual < expected)


def attainment_light(
    expected: Decimal, actual_share: Decimal | None, thresholds: tuple[Decimal, Decimal]
) -> str | None:
    """green / yellow / red by the gap in points below the expected share (R3 defaults 10 / 30)."""
    if actual_share is None:
        return None
    gap = (expected - actual_share) * 100
    if gap < thresholds[0]:
        return "green"
    return "yellow" if gap <= thresholds[1] else "red"
