"""Scoring policies (考核办法) as versioned data; the R9 default is version 1.

A policy says which indicators are scored with what weight and cap, which unit kinds are ranked,
how ties are broken, on which day the assessment runs, how many bottom units are summoned, the
milestone curve of R2/R10 and how the target period of a month is chosen (see periods.window_for).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

# 五个一批 indicators (R9): code → (label, the 目标任务 metric it is measured against).
INDICATORS: dict[str, tuple[str, str | None]] = {
    "signing_rate": ("签约率", "signed_amount"),
    "landing_rate": ("落地率", None),  # signed projects that started / signed projects
    "funds_rate": ("资金到位率", "funds_in_place"),
    "investment_rate": ("入库投资率", "fixed_asset_investment"),
    "enterprise_rate": ("入规企业数", "above_size_enterprise_count"),
}
TARGET_PERIODS = ("year", "quarter")
MISSING_TARGET_RULES = ("zero", "full")
MILESTONE_METRICS_DEFAULT = (
    "fixed_asset_investment",
    "industrial_investment",
    "private_investment",
    "signed_amount",
    "funds_in_place",
    "above_size_enterprise_count",
)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    weight: Decimal
    cap: Decimal


@dataclass(frozen=True)
class Policy:
    version: int
    name: str
    indicators: tuple[IndicatorSpec, ...]
    ranked_kinds: tuple[str, ...] = ("township",)
    tie_breaks: tuple[str, ...] = ("investment_rate", "unit_code")
    assessment_day: int = 25
    interview_count: int = 3
    # Share of the annual target due by the end of Q1..Q4 (R2/R10, the Yangquan curve).
    milestone_curve: tuple[Decimal, ...] = (Decimal("0.18"), Decimal("0.50"), Decimal("0.80"), Decimal(1))
    milestone_metrics: tuple[str, ...] = MILESTONE_METRICS_DEFAULT
    target_period: str = "year"
    # What an indicator scores when its target is missing or zero: nothing, or its full weight.
    missing_target: str = "zero"
    # Attainment light (R3 defaults): gap in points below the milestone share.
    light_thresholds: tuple[Decimal, Decimal] = (Decimal(10), Decimal(30))
    effective_from: str | None = None

    def weight_of(self, code: str) -> Decimal:
        return next(i.weight for i in self.indicators if i.code == code)

    def with_weights(self, weights: Mapping[str, Decimal], *, name: str | None = None) -> Policy:
        """A copy with some indicator weights replaced (for a what-if; never stored as a version)."""
        specs = tuple(replace(i, weight=weights.get(i.code, i.weight)) for i in self.indicators)
        return replace(self, indicators=specs, name=name or f"{self.name} (what-if weights)")

    def inputs_signature(self) -> tuple[str, tuple[str, ...]]:
        """Policies with equal signatures are scored from the same gathered inputs."""
        return self.target_period, tuple(sorted(self.ranked_kinds))


DEFAULT_POLICY = Policy(
    version=1,
    name="五个一批考核 (R9 default)",
    indicators=(
        IndicatorSpec("signing_rate", Decimal(20), Decimal("1.2")),
        IndicatorSpec("landing_rate", Decimal(20), Decimal("1.2")),
        IndicatorSpec("funds_rate", Decimal(20), Decimal("1.2")),
        IndicatorSpec("investment_rate", Decimal(25), Decimal("1.2")),
        IndicatorSpec("enterprise_rate", Decimal(15), Decimal("1.2")),
    ),
)


def policy_problems(p: Policy) -> list[tuple[str, str]]:
    """Everything wrong with a policy, as (field, message) a clerk can act on."""
    out: list[tuple[str, str]] = []
    codes = [i.code for i in p.indicators]
    if not codes:
        out.append(("indicators", "give at least one indicator"))
    for n, spec in enumerate(p.indicators):
        if spec.code not in INDICATORS:
            out.append(
                (f"indicators.{n}.code", f"unknown indicator {spec.code!r}; allowed: {', '.join(INDICATORS)}")
            )
        if spec.weight < 0:
            out.append((f"indicators.{n}.weight", "a weight must not be negative"))
        if spec.cap <= 0:
            out.append((f"indicators.{n}.cap", "a cap must be above 0 (the default is 1.2)"))
    if len(set(codes)) != len(codes):
        out.append(("indicators", "each indicator may appear once"))
    for n, key in enumerate(p.tie_breaks):
        if key != "unit_code" and key not in codes:
            out.append((f"tie_breaks.{n}", f"{key!r} is neither 'unit_code' nor a scored indicator"))
    if not p.ranked_kinds:
        out.append(("ranked_kinds", "rank at least one unit kind (e.g. township)"))
    if not 1 <= p.assessment_day <= 28:
        out.append(("assessment_day", "the assessment day must be 1..28 so that every month has it"))
    if p.interview_count < 0:
        out.append(("interview_count", "must not be negative"))
    curve = p.milestone_curve
    if len(curve) != 4 or any(b < a for a, b in zip(curve, curve[1:], strict=False)) or curve[-1] != 1:
        out.append(("milestone_curve", "give four non-decreasing shares for Q1..Q4 ending at 100%"))
    if p.target_period not in TARGET_PERIODS:
        out.append(("target_period", f"allowed: {', '.join(TARGET_PERIODS)}"))
    if p.missing_target not in MISSING_TARGET_RULES:
        out.append(("missing_target", f"allowed: {', '.join(MISSING_TARGET_RULES)}"))
    low, high = p.light_thresholds
    if not 0 <= low <= high:
        out.append(("light_thresholds", "give two thresholds 0 ≤ yellow ≤ red, in points"))
    return out


def _num(x: Decimal) -> int | float:
    """A JSON number that converts back to the same Decimal (via str)."""
    return int(x) if x == x.to_integral_value() else float(x)


def policy_to_dict(p: Policy) -> dict[str, Any]:
    """The stored and published form; milestone curve and weights in percent/points as users state them."""
    return {
        "version": p.version,
        "name": p.name,
        "effective_from": p.effective_from,
        "indicators": [
            {
                "code": i.code,
                "label": INDICATORS.get(i.code, (i.code, None))[0],
                "weight": _num(i.weight),
                "cap": _num(i.cap),
            }
            for i in p.indicators
        ],
        "ranked_kinds": list(p.ranked_kinds),
        "tie_breaks": list(p.tie_breaks),
        "assessment_day": p.assessment_day,
        "interview_count": p.interview_count,
        "milestone_curve": [_num(s * 100) for s in p.milestone_curve],
        "milestone_metrics": list(p.milestone_metrics),
        "target_period": p.target_period,
        "missing_target": p.missing_target,
        "light_thresholds": [_num(t) for t in p.light_thresholds],
    }


def policy_from_dict(d: Mapping[str, Any]) -> Policy:
    curve = tuple(Decimal(str(s)) / 100 for s in d.get("milestone_curve", (18, 50, 80, 100)))
    low, high = (Decimal(str(t)) for t in d.get("light_thresholds", (10, 30)))
    return Policy(
        version=int(d["version"]),
        name=str(d["name"]),
        effective_from=d.get("effective_from"),
        indicators=tuple(
            IndicatorSpec(str(i["code"]), Decimal(str(i["weight"])), Decimal(str(i.get("cap", "1.2"))))
            for i in d["indicators"]
        ),
        ranked_kinds=tuple(d.get("ranked_kinds", ("township",))),
        tie_breaks=tuple(d.get("tie_breaks", ("investment_rate", "unit_code"))),
        assessment_day=int(d.get("assessment_day", 25)),
        interview_count=int(d.get("interview_count", 3)),
        milestone_curve=curve,
        milestone_metrics=tuple(d.get("milestone_metrics", MILESTONE_METRICS_DEFAULT)),
        target_period=str(d.get("target_period", "year")),
        missing_target=str(d.get("missing_target", "zero")),
        light_thresholds=(low, high),
    )
