"""From projected facts to the inputs of the five indicators (R9), each number with its source.

- 签约率 = 签约额 of the unit's signed projects / signing target (metric signed_amount)
- 落地率 = signed projects that started / signed projects
- 资金到位率 = 到位资金 of signed projects / funds target (metric funds_in_place)
- 入库投资率 = investment of stats-registered (入统) projects in the window / investment target
  (metric fixed_asset_investment)
- 入规企业数 = enterprises newly above designated size in the window / its target
  (metric above_size_enterprise_count)

签约额 and 到位资金 are cumulative figures of a project, so the window counts their growth: the
figure at the assessed month minus the figure reported for the month before the window. Investment
uses the year-to-date figure, minus the year-to-date figure before the window within the same year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scoring.domain.periods import Window
from scoring.domain.scoring import IndicatorInput, InputItem, UnitInput

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Figure:
    """A reported value and where it came from (a report or a project snapshot event)."""

    value: Decimal
    source_event_id: str | None
    month: str | None = None  # the report month; None for a registry snapshot


@dataclass(frozen=True)
class ProjectFact:
    """What the projections know of one project at the assessed month (as of the data date)."""

    project_id: str
    name: str
    unit_code: str
    is_signed: bool
    started: bool
    stats_registered: bool
    status_source: str | None
    signed_end: Figure | None = None
    signed_base: Figure | None = None
    funds_end: Figure | None = None
    funds_base: Figure | None = None
    ytd_end: Figure | None = None
    ytd_base: Figure | None = None
    is_industrial: bool = False
    is_private: bool = False
    key_level: str | None = None
    build_type: str = "new"
    stage: str = "planned"
    total_investment: Decimal = _ZERO
    snapshot_source: str | None = None

    def _delta(self, end: Figure | None, base: Figure | None) -> Decimal:
        return (end.value if end else _ZERO) - (base.value if base else _ZERO)

    @property
    def signed_amount(self) -> Decimal:
        return self._delta(self.signed_end, self.signed_base)

    @property
    def funds_in_place(self) -> Decimal:
        return self._delta(self.funds_end, self.funds_base)

    @property
    def investment(self) -> Decimal:
        return self._delta(self.ytd_end, self.ytd_base)


@dataclass(frozen=True)
class EnterpriseFact:
    """A 新增入规企业 posted in a unit's monthly return (progress unit_return_submitted)."""

    name: str
    on: date | None
    month: str
    source_event_id: str


@dataclass(frozen=True)
class TargetRef:
    metric: str
    period: str
    value: Decimal
    source_event_id: str
    target_id: int


def _figure_detail(end: Figure | None, base: Figure | None) -> dict[str, str | None]:
    return {
        "figure": str(end.value) if end else "0",
        "figure_month": end.month if end else None,
        "base": str(base.value) if base else "0",
        "base_month": base.month if base else None,
        "base_event_id": base.source_event_id if base else None,
    }


def _money_indicator(code: str, target: TargetRef | None, items: list[InputItem]) -> IndicatorInput:
    actual = sum((i.value for i in items), _ZERO)
    note = None if target else f"no {code} target for this unit and period"
    return IndicatorInput(
        code,
        actual,
        target.value if target else None,
        target.source_event_id if target else None,
        tuple(items),
        note,
    )


def _signing_items(signed: list[ProjectFact]) -> list[InputItem]:
    return [
        InputItem(
            "project",
            p.project_id,
            f"{p.name} 签约额",
            p.signed_amount,
            p.signed_end.source_event_id if p.signed_end else None,
            _figure_detail(p.signed_end, p.signed_base),
        )
        for p in signed
    ]


def _funds_items(signed: list[ProjectFact]) -> list[InputItem]:
    return [
        InputItem(
            "project",
            p.project_id,
            f"{p.name} 到位资金",
            p.funds_in_place,
            p.funds_end.source_event_id if p.funds_end else None,
            _figure_detail(p.funds_end, p.funds_base),
        )
        for p in signed
    ]


def _landing_items(signed: list[ProjectFact]) -> list[InputItem]:
    return [
        InputItem(
            "project",
            p.project_id,
            f"{p.name} {'已开工' if p.started else '未开工'}",
            Decimal(1) if p.started else _ZERO,
            p.status_source,
            {"started": p.started},
        )
        for p in signed
    ]


def _investment_items(mine: list[ProjectFact]) -> list[InputItem]:
    return [
        InputItem(
            "project",
            p.project_id,
            f"{p.name} 入统项目投资",
            p.investment,
            p.ytd_end.source_event_id if p.ytd_end else None,
            _figure_detail(p.ytd_end, p.ytd_base),
        )
        for p in mine
        if p.stats_registered
    ]


def _enterprise_items(enterprises: Iterable[EnterpriseFact], window: Window) -> list[InputItem]:
    """Each enterprise once, from the first return in the window that names it."""
    seen: set[str] = set()
    enterprise_items = []
    for e in sorted(enterprises, key=lambda e: (e.month, e.name)):
        if e.name in seen or not (window.first <= e.month <= window.last):
            continue
        seen.add(e.name)
        enterprise_items.append(
            InputItem(
                "enterprise",
                e.name,
                f"新增入规企业 {e.name}",
                Decimal(1),
                e.source_event_id,
                {"date": e.on.isoformat() if e.on else None, "return_month": e.month},
            )
        )
    return enterprise_items


def _landing_indicator(signed: list[ProjectFact], landing_items: list[InputItem]) -> IndicatorInput:
    """落地率: signed projects that started / signed projects (no target: the count is its own)."""
    landed = sum((i.value for i in landing_items), _ZERO)
    return IndicatorInput(
        "landing_rate",
        landed,
        Decimal(len(signed)) if signed else None,
        None,
        tuple(landing_items),
        None if signed else "no signed projects",
    )


def build_unit_inputs(
    *,
    unit_code: str,
    unit_name: str,
    kind: str,
    unit_event_id: str | None,
    projects: Iterable[ProjectFact],
    enterprises: Iterable[EnterpriseFact],
    targets: Mapping[str, TargetRef],
    window: Window,
) -> UnitInput:
    """The five indicators' inputs of one unit, every number listed with its source event id."""
    mine = sorted((p for p in projects if p.unit_code == unit_code), key=lambda p: p.project_id)
    signed = [p for p in mine if p.is_signed]
    indicators = {
        "signing_rate": _money_indicator(
            "signed_amount", targets.get("signed_amount"), _signing_items(signed)
        ),
        "landing_rate": _landing_indicator(signed, _landing_items(signed)),
        "funds_rate": _money_indicator("funds_in_place", targets.get("funds_in_place"), _funds_items(signed)),
        "investment_rate": _money_indicator(
            "fixed_asset_investment", targets.get("fixed_asset_investment"), _investment_items(mine)
        ),
        "enterprise_rate": _money_indicator(
            "above_size_enterprise_count",
            targets.get("above_size_enterprise_count"),
            _enterprise_items(enterprises, window),
        ),
    }
    # The money indicators are built under their metric's name; each is keyed by its indicator code.
    indicators = {
        code: IndicatorInput(code, i.actual, i.target, i.target_event_id, i.items, i.note)
        for code, i in indicators.items()
    }
    return UnitInput(unit_code, unit_name, kind, indicators, unit_event_id)
