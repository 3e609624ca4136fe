"""The e2e scenario's figures: the Yangcheng 2023 winter campaign's Q4 targets, read from the seed
files themselves, and what each township achieves; plus the R9 score computed by hand from them.

Every township registers an investment project (入统, continuing) and an investment-attraction
project (签约), reports both for September to December 2023, and posts its 新增入规企业. What a
township achieves in Q4 is a share of its own seed target, so every rate is exact and the ranking
can be worked out on paper (README of services/scoring: the quarter window, growth of cumulative
figures since September, min(rate, 1.2) × weight, ties by 入库投资率 then unit code).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"
CAMPAIGN = "yangcheng-2023-winter"
PERIOD = "2023Q4"
MONTH = "2023-12"  # the assessed month: window 2023-10..2023-12 under the quarter policy
METRICS = {
    "固定资产投资": "fixed_asset_investment",
    "签约金额": "signed_amount",
    "到位资金": "funds_in_place",
}
YI = Decimal(10000)  # 1 亿元 = 10,000 万元
WEIGHTS = {
    "signing_rate": Decimal(20),
    "landing_rate": Decimal(20),
    "funds_rate": Decimal(20),
    "investment_rate": Decimal(25),
    "enterprise_rate": Decimal(15),
}
CAP = Decimal("1.2")
ENTERPRISE_TARGET = 2  # set by the office in the test: the document states no 入规 target


@dataclass(frozen=True)
class Achievement:
    """A township's Q4: shares of its seed targets, whether its signed project started, 入规 count."""

    investment: Decimal
    signing: Decimal
    funds: Decimal
    landed: bool
    enterprises: int


D = Decimal
# xihe and qinchi tie on total (52.50): xihe ranks first on 入库投资率 although q < x.
# sitou, manghe and dongfeng end last: the three to be summoned (约谈).
ACHIEVED: dict[str, Achievement] = {
    "fengcheng": Achievement(D("1.10"), D("1.30"), D("0.90"), True, 2),
    "beiliu": Achievement(D("0.95"), D("1.00"), D("1.00"), True, 2),
    "runcheng": Achievement(D("0.90"), D("0.80"), D("0.50"), True, 1),
    "dingdian": Achievement(D("0.70"), D("0.60"), D("0.50"), True, 0),
    "sitou": Achievement(D("0.20"), D("0.10"), D("0.05"), False, 0),
    "qinchi": Achievement(D("0.80"), D("0.75"), D("0.50"), False, 1),
    "xihe": Achievement(D("1.00"), D("0.50"), D("0.50"), False, 1),
    "yanli": Achievement(D("0.60"), D("0.90"), D("0.70"), True, 2),
    "ciying": Achievement(D("0.50"), D("0.40"), D("0.30"), True, 1),
    "dongfeng": Achievement(D("0.30"), D("0.20"), D("0.25"), False, 0),
    "henghe": Achievement(D("0.40"), D("0.50"), D("0.50"), False, 1),
    "hebei": Achievement(D("0.75"), D("0.70"), D("0.60"), True, 1),
    "baisang": Achievement(D("1.25"), D("1.10"), D("1.00"), True, 2),
    "manghe": Achievement(D("0.10"), D("0.30"), D("0.20"), False, 0),
    "dongye": Achievement(D("0.55"), D("0.45"), D("0.40"), True, 1),
}
BOTTOM_THREE = {"sitou", "manghe", "dongfeng"}


def read_csv(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def township_codes() -> dict[str, str]:
    """Name (and alias) → code of the seed townships; 麟河镇 resolves as the office decided."""
    names: dict[str, str] = {}
    for row in read_csv("yangcheng_units.csv") + read_csv("yangcheng_unit_aliases.csv"):
        if row["单位类型"] != "乡镇":
            continue
        names[row["单位名称"]] = row["单位编码"]
        for alias in filter(None, (row["别名"] or "").split(";")):
            names[alias.strip()] = row["单位编码"]
    return names


def q4_targets() -> dict[str, dict[str, Decimal]]:
    """code → metric → 2023Q4 target in 万元, for the townships, straight from yangcheng_targets.csv."""
    codes = township_codes()
    out: dict[str, dict[str, Decimal]] = {code: {} for code in set(codes.values())}
    for row in read_csv("yangcheng_targets.csv"):
        code = codes.get(row["单位"])
        metric = METRICS.get(row["指标"])
        if code and metric and row["期间"] == PERIOD:
            assert row["计量单位"] == "亿元", row
            out[code][metric] = Decimal(row["目标值"]) * YI
    return out


def _rate(actual: Decimal, target: Decimal | None) -> Decimal | None:
    if not target:
        return None
    return (actual / target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _score(rate: Decimal | None, weight: Decimal) -> Decimal:
    scored = min(rate, CAP) if rate is not None else Decimal(0)  # no target scores 0 (R9 default)
    return (scored * weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class HandScore:
    unit_code: str
    rates: dict[str, Decimal | None]
    total: Decimal


def hand_scores(
    actuals: dict[str, dict[str, Decimal]], targets: dict[str, dict[str, Decimal]]
) -> list[HandScore]:
    """R9 by hand: each rate min(rate, 1.2) × weight; ranked by total, then 入库投资率, then code."""
    out = []
    for code, got in actuals.items():
        t = targets[code]
        rates = {
            "signing_rate": _rate(got["signed_amount"], t.get("signed_amount")),
            "landing_rate": _rate(got["landed"], got["signed_projects"]),
            "funds_rate": _rate(got["funds_in_place"], t.get("funds_in_place")),
            "investment_rate": _rate(got["investment"], t.get("fixed_asset_investment")),
            "enterprise_rate": _rate(got["enterprises"], Decimal(ENTERPRISE_TARGET)),
        }
        total = sum((_score(rates[k], w) for k, w in WEIGHTS.items()), Decimal(0))
        out.append(HandScore(code, rates, total))
    inv = Decimal(-1)
    out.sort(key=lambda h: (-h.total, -(h.rates["investment_rate"] or inv), h.unit_code))
    return out


def split(total: Decimal, shares: tuple[int, ...]) -> list[Decimal]:
    """`total` in parts by percent shares, in 万元 with 2 places, adding up exactly."""
    parts = [(total * s / 100).quantize(Decimal("0.01")) for s in shares[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]
