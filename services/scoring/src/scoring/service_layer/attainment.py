"""The target attainment board: every target of a year (R1) with actual, share and light (R2, R3)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from scoring.adapters.facts import TargetRow
from scoring.adapters.repositories import FactRepository
from scoring.domain.indicators import EnterpriseFact, ProjectFact
from scoring.domain.milestones import attainment_light, expected_share, in_scope, metric_actual
from scoring.domain.periods import Window, month_str, months_between, parse_month, period_months
from scoring.domain.policy import Policy
from scoring.service_layer.policies import current_policy
from scoring.service_layer.read_models import BoardOut, BoardTargetOut
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

_SHARE = Decimal("0.0001")
NOT_DERIVABLE = "not derivable from the events scoring receives (R6 rates are measured by progress)"
Measured = tuple[list[ProjectFact], dict[str, list[EnterpriseFact]]]


def board_month(year: int | None, month: str | None, now: datetime) -> tuple[int, str]:
    """The year and month a board is measured to: this month, or December of another year."""
    this_month = month_str(now.year, now.month)
    month = month or (f"{year:04d}-12" if year and str(year) != this_month[:4] else this_month)
    return year or int(month[:4]), month


async def _targets_by_period(
    facts: FactRepository, year: int, unit_code: str | None, as_of: datetime | None
) -> dict[str, list[TargetRow]]:
    by_period: dict[str, list[TargetRow]] = defaultdict(list)
    for period in await facts.target_periods(year=year, as_of=as_of):
        for t in await facts.target_rows(period=period, as_of=as_of):
            if unit_code is None or t.unit_code == unit_code:
                by_period[period].append(t)
    return by_period


async def _measure(
    facts: FactRepository,
    policy: Policy,
    *,
    year: int,
    period: str,
    span: tuple[str, str],
    month: str,
    as_of: datetime | None,
) -> tuple[Decimal, Measured | None]:
    """The expected share of a period by `month` (annual targets on the milestone curve, shorter
    periods pro rata) and the facts measured to it; nothing measured before the period starts."""
    first, last = span
    upto = min(last, month)
    if upto < first:
        return Decimal(0), None
    if period == str(year):
        expected = expected_share(policy.milestone_curve, parse_month(upto)[1])
    else:
        elapsed, total = months_between(first, upto), months_between(first, last)
        expected = (Decimal(elapsed) / Decimal(total)).quantize(_SHARE)
    window = Window(period=period, first=first, last=upto)
    projects = await facts.projects(window=window, as_of=as_of)
    enterprises = await facts.enterprises(window=window, as_of=as_of)
    return expected, (projects, enterprises)


def _row(t: TargetRow, policy: Policy, expected: Decimal, measured: Measured | None) -> BoardTargetOut:
    actual = None
    if measured is not None:
        projects, enterprises = measured
        actual = metric_actual(t.metric, *in_scope(t.unit_code, projects, enterprises))
    share = (actual / t.value).quantize(_SHARE) if actual is not None and t.value > 0 else None
    return BoardTargetOut(
        target_id=t.target_id,
        metric=t.metric,
        period=t.period,
        scope=t.scope,
        unit_code=t.unit_code,
        campaign_id=t.campaign_id,
        target=t.value,
        actual=actual,
        share=share,
        expected_share=expected,
        light=attainment_light(expected, share, policy.light_thresholds),
        target_event_id=t.ce_id,
        note=None if actual is not None or measured is None else NOT_DERIVABLE,
    )


async def board(
    facts: FactRepository,
    *,
    policy: Policy,
    year: int,
    month: str,
    unit_code: str | None,
    as_of: datetime | None = None,
) -> BoardOut:
    """Every target of the year (R1) with actual, share and light, measured to `month`."""
    rows: list[BoardTargetOut] = []
    for period, targets in sorted((await _targets_by_period(facts, year, unit_code, as_of)).items()):
        span = period_months(period)
        if span is None:
            continue
        expected, measured = await _measure(
            facts, policy, year=year, period=period, span=span, month=month, as_of=as_of
        )
        rows += [_row(t, policy, expected, measured) for t in targets]
    return BoardOut(year=year, month=month, policy_version=policy.version, targets=rows)


async def attainment_board(
    *, uow: ScoringUnitOfWork, year: int | None, month: str | None, unit_code: str | None, now: datetime
) -> BoardOut:
    """The board of a year to a month (default: this month, or December of another year) (R1, R3)."""
    year, month = board_month(year, month, now)
    policy = await current_policy(uow=uow, month=month, now=now)
    return await board(uow.facts, policy=policy, year=year, month=month, unit_code=unit_code)
