"""序时进度 (R2): the share of the annual plan that should be done by the end of a month."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from progress.domain.model import Month
from progress.domain.policy import Policy, ScheduleCurve

_RATIO = Decimal("0.0001")


def expected_share(month: Month, policy: Policy) -> Decimal:
    """Expected share (0..1) at the end of `month`: m/12, or the milestone curve interpolated by month."""
    m = month.month
    if policy.schedule_curve is ScheduleCurve.LINEAR:
        share = Decimal(m) / 12
    else:
        # Milestones hold at the ends of months 3, 6, 9 and 12; months between are interpolated linearly,
        # and the first quarter runs up from 0 at the start of the year.
        quarter = (m - 1) // 3
        start = Decimal(0) if quarter == 0 else policy.milestones[quarter - 1]
        end = policy.milestones[quarter]
        step = m - quarter * 3  # 1..3 months into the quarter
        share = (start + (end - start) * step / 3) / 100
    return share.quantize(_RATIO, rounding=ROUND_HALF_UP)


def campaign_share(start: date, end: date, at: date) -> Decimal:
    """Expected share of a campaign window (行动) at the end of day `at`: elapsed days / window days."""
    window = (end - start).days + 1
    if at < start:
        elapsed = 0
    elif at >= end:
        elapsed = window
    else:
        elapsed = (at - start).days + 1
    return (Decimal(elapsed) / window).quantize(_RATIO, rounding=ROUND_HALF_UP)


def gap_points(expected: Decimal, actual: Decimal) -> Decimal:
    """R3 gap = expected share − actual share, in percentage points (2 places)."""
    return ((expected - actual) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def actual_share(done: Decimal, plan: Decimal) -> Decimal | None:
    """Done / plan, or None when there is no plan to compare with."""
    if plan <= 0:
        return None
    return (done / plan).quantize(_RATIO, rounding=ROUND_HALF_UP)
