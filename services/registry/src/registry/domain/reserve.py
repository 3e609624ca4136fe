"""Reserve health (储备, R11): reserve size against the year's plan, and large projects by size band."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from registry.domain.model import Stage

# 储备 in the broad sense: every project not yet under construction, completed or cancelled.
RESERVE_STAGES = frozenset({Stage.PLANNED, Stage.RESERVE, Stage.PRELIMINARY})

# Size bands in 万元 (1 亿元 = 10,000 万元), lower bound inclusive, upper exclusive (R11).
SIZE_BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "band_10_50yi": (Decimal(100_000), Decimal(500_000)),  # 10–50 亿元
    "band_5_10yi": (Decimal(50_000), Decimal(100_000)),  # 5–10 亿元
}


@dataclass(frozen=True)
class ReserveProject:
    """A project as reserve health sees it: total investment (总投资, 万元) and stage."""

    total_investment: Decimal
    stage: str

    def __post_init__(self) -> None:
        Stage(self.stage)  # ValueError names an unknown stage
        if self.total_investment < 0:
            raise ValueError(f"total_investment cannot be negative: {self.total_investment}")


@dataclass(frozen=True)
class BandHealth:
    """Count of reserve projects in one size band against its target (met is None without a target)."""

    band: str
    count: int
    target: int | None
    met: bool | None


@dataclass(frozen=True)
class ReserveHealth:
    """储备健康度: reserve total ≥ required_multiple × this year's planned investment (R11)."""

    reserve_total: Decimal
    planned_investment: Decimal
    multiple: Decimal | None  # reserve_total / planned_investment, 2 places
    required_multiple: Decimal
    healthy: bool
    bands: tuple[BandHealth, ...]
    project_count: int

    def band(self, name: str) -> BandHealth:
        """The health of one size band, by name (e.g. 'band_10_50yi')."""
        for b in self.bands:
            if b.band == name:
                return b
        raise KeyError(f"unknown size band {name}; known: {', '.join(SIZE_BANDS)}")


def reserve_health(
    projects: Iterable[ReserveProject],
    *,
    planned_investment_this_year: Decimal,
    required_multiple: Decimal = Decimal(2),
    band_targets: dict[str, int] | None = None,
) -> ReserveHealth:
    """Check the reserve (储备项目库) against the year's planned investment and size-band targets (R11)."""
    if planned_investment_this_year < 0:
        raise ValueError(f"planned investment cannot be negative: {planned_investment_this_year}")
    targets = band_targets or {}
    unknown = sorted(set(targets) - set(SIZE_BANDS))
    if unknown:
        raise ValueError(f"unknown size band(s) {', '.join(unknown)}; known: {', '.join(SIZE_BANDS)}")
    reserve = [p.total_investment for p in projects if p.stage in RESERVE_STAGES]
    total = sum(reserve, Decimal(0))
    multiple = None
    if planned_investment_this_year:
        multiple = (total / planned_investment_this_year).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    bands = []
    for name, (low, high) in SIZE_BANDS.items():
        count = sum(1 for amount in reserve if low <= amount < high)
        target = targets.get(name)
        bands.append(BandHealth(name, count, target, None if target is None else count >= target))
    return ReserveHealth(
        reserve_total=total,
        planned_investment=planned_investment_this_year,
        multiple=multiple,
        required_multiple=required_multiple,
        # Judged on exact amounts, not the rounded multiple: 1.996× is not 2×.
        healthy=total >= required_multiple * planned_investment_this_year,
        bands=tuple(bands),
        project_count=len(reserve),
    )
