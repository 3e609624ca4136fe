"""五个一批 scoring and ranking (R9): rate = actual / target, score = min(rate, cap) × weight.

Rates are kept to 4 decimal places (0.01 %), each indicator's score to 2; the total is the sum of
the indicator scores. Ties are broken by the policy's tie-breaks (default 入库投资率, then unit
code); the unit code always ends the order, so every ranking is total and reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from scoring.domain.policy import INDICATORS, Policy

RATE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)


@dataclass(frozen=True)
class InputItem:
    """One number that went into an indicator, with the id of the event it came from."""

    kind: str  # project | enterprise | target
    ref: str
    label: str
    value: Decimal
    source_event_id: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorInput:
    """actual (numerator) against target (denominator) for one indicator of one unit."""

    code: str
    actual: Decimal
    target: Decimal | None
    target_event_id: str | None
    items: tuple[InputItem, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class UnitInput:
    unit_code: str
    unit_name: str
    kind: str
    indicators: Mapping[str, IndicatorInput]
    unit_event_id: str | None = None


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    actual: Decimal
    target: Decimal | None
    rate: Decimal | None
    cap: Decimal
    weight: Decimal
    score: Decimal
    note: str | None = None

    @property
    def label(self) -> str:
        return INDICATORS.get(self.code, (self.code, None))[0]


@dataclass(frozen=True)
class Scorecard:
    unit_code: str
    unit_name: str
    total: Decimal
    indicators: tuple[IndicatorScore, ...]
    rank: int = 0

    def rate(self, code: str) -> Decimal | None:
        return next((i.rate for i in self.indicators if i.code == code), None)


def rate(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """actual / target to 4 places; None when there is no (positive) target to measure against."""
    if target is None or target <= 0:
        return None
    return (actual / target).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def score_unit(policy: Policy, unit: UnitInput) -> Scorecard:
    """One unit's scorecard under a policy (rank still 0)."""
    lines = []
    for spec in policy.indicators:
        ind = unit.indicators.get(spec.code) or IndicatorInput(spec.code, _ZERO, None, None, note="no inputs")
        r = rate(ind.actual, ind.target)
        note = ind.note
        if r is None:
            scored = _ONE if policy.missing_target == "full" else _ZERO
            note = note or (
                "no target: scored " + ("full weight" if scored else "0") + " (policy missing_target)"
            )
        else:
            scored = min(r, spec.cap)
        score = (scored * spec.weight).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
        lines.append(IndicatorScore(spec.code, ind.actual, ind.target, r, spec.cap, spec.weight, score, note))
    total = sum((x.score for x in lines), _ZERO)
    return Scorecard(unit.unit_code, unit.unit_name, total, tuple(lines))


def _sort_key(policy: Policy, card: Scorecard) -> tuple[Any, ...]:
    key: list[Any] = [-card.total]
    for tb in policy.tie_breaks:
        if tb == "unit_code":
            key.append(card.unit_code)
        else:
            r = card.rate(tb)
            key.append(-(r if r is not None else Decimal(-1)))
    key.append(card.unit_code)
    return tuple(key)


def rank_units(policy: Policy, units: Iterable[UnitInput]) -> list[Scorecard]:
    """Score the units of the ranked kinds and order them; rank 1 is the best."""
    cards = [score_unit(policy, u) for u in units if u.kind in policy.ranked_kinds]
    cards.sort(key=lambda c: _sort_key(policy, c))
    return [
        Scorecard(c.unit_code, c.unit_name, c.total, c.indicators, rank=n) for n, c in enumerate(cards, 1)
    ]


def bottom(policy: Policy, ranking: Sequence[Scorecard]) -> list[Scorecard]:
    """The units summoned to a 约谈: the last `interview_count` of the ranking."""
    n = min(policy.interview_count, len(ranking))
    return list(ranking[len(ranking) - n :]) if n else []


# --- stored form (exact: decimals as strings) ---------------------------------------------------


def _d(x: Decimal | None) -> str | None:
    return None if x is None else str(x)


def _D(x: Any) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def unit_input_to_dict(u: UnitInput) -> dict[str, Any]:
    return {
        "unit_code": u.unit_code,
        "unit_name": u.unit_name,
        "kind": u.kind,
        "unit_event_id": u.unit_event_id,
        "indicators": {
            code: {
                "code": i.code,
                "actual": _d(i.actual),
                "target": _d(i.target),
                "target_event_id": i.target_event_id,
                "note": i.note,
                "items": [
                    {
                        "kind": it.kind,
                        "ref": it.ref,
                        "label": it.label,
                        "value": _d(it.value),
                        "source_event_id": it.source_event_id,
                        "detail": dict(it.detail),
                    }
                    for it in i.items
                ],
            }
            for code, i in u.indicators.items()
        },
    }


def unit_input_from_dict(d: Mapping[str, Any]) -> UnitInput:
    indicators = {}
    for code, i in d["indicators"].items():
        items = tuple(
            InputItem(
                it["kind"],
                it["ref"],
                it["label"],
                Decimal(it["value"]),
                it["source_event_id"],
                it.get("detail") or {},
            )
            for it in i["items"]
        )
        indicators[code] = IndicatorInput(
            code, Decimal(i["actual"]), _D(i["target"]), i["target_event_id"], items, i.get("note")
        )
    return UnitInput(d["unit_code"], d["unit_name"], d["kind"], indicators, d.get("unit_event_id"))


def scorecard_to_dict(c: Scorecard) -> dict[str, Any]:
    return {
        "unit_code": c.unit_code,
        "unit_name": c.unit_name,
        "rank": c.rank,
        "total_score": str(c.total),
        "indicators": [
            {
                "code": i.code,
                "label": i.label,
                "actual": _d(i.actual),
                "target": _d(i.target),
                "rate": _d(i.rate),
                "cap": _d(i.cap),
                "weight": _d(i.weight),
                "score": _d(i.score),
                "note": i.note,
            }
            for i in c.indicators
        ],
    }


def scorecard_from_dict(d: Mapping[str, Any]) -> Scorecard:
    lines = tuple(
        IndicatorScore(
            i["code"],
            Decimal(i["actual"]),
            _D(i["target"]),
            _D(i["rate"]),
            Decimal(i["cap"]),
            Decimal(i["weight"]),
            Decimal(i["score"]),
            i.get("note"),
        )
        for i in d["indicators"]
    )
    return Scorecard(d["unit_code"], d["unit_name"], Decimal(d["total_score"]), lines, int(d["rank"]))
