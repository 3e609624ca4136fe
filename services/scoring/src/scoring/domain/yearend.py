"""Year-end total (年度算总账): the months' published rankings of a year added up per unit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class MonthResult:
    month: str
    unit_code: str
    unit_name: str
    rank: int
    ranked_count: int
    total: Decimal
    interviewed: bool


@dataclass
class YearLine:
    unit_code: str
    unit_name: str
    months: list[str] = field(default_factory=list)
    total_score: Decimal = Decimal(0)
    best_rank: int | None = None
    worst_rank: int | None = None
    interviews: int = 0
    rank_sum: int = 0
    year_rank: int = 0

    @property
    def average_score(self) -> Decimal:
        if not self.months:
            return Decimal(0)
        return (self.total_score / len(self.months)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def year_total(results: Iterable[MonthResult]) -> list[YearLine]:
    """Per unit: months assessed, summed and average score, best/worst rank, 约谈 count; ranked by
    average score, then summed score, then the sum of monthly ranks (the monthly tie-breaks), then
    unit code."""
    lines: dict[str, YearLine] = {}
    for r in sorted(results, key=lambda r: r.month):
        line = lines.setdefault(r.unit_code, YearLine(r.unit_code, r.unit_name))
        line.unit_name = r.unit_name
        line.months.append(r.month)
        line.total_score += r.total
        line.best_rank = r.rank if line.best_rank is None else min(line.best_rank, r.rank)
        line.worst_rank = r.rank if line.worst_rank is None else max(line.worst_rank, r.rank)
        line.interviews += int(r.interviewed)
        line.rank_sum += r.rank
    ordered: Sequence[YearLine] = sorted(
        lines.values(), key=lambda x: (-x.average_score, -x.total_score, x.rank_sum, x.unit_code)
    )
    for n, line in enumerate(ordered, 1):
        line.year_rank = n
    return list(ordered)
