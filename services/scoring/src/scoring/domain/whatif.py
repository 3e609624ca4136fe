"""Rank differences between two rankings of the same month (what-if, recomputation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scoring.domain.scoring import Scorecard


@dataclass(frozen=True)
class RankChange:
    unit_code: str
    unit_name: str
    rank_before: int | None
    rank_after: int | None
    score_before: Decimal | None
    score_after: Decimal | None

    @property
    def moved(self) -> int | None:
        """Places gained (positive) or lost (negative); None if ranked on one side only."""
        if self.rank_before is None or self.rank_after is None:
            return None
        return self.rank_before - self.rank_after


def rank_diff(before: Sequence[Scorecard], after: Sequence[Scorecard]) -> list[RankChange]:
    """Every unit of either ranking, in the order of `after` then the ones it lost."""
    b = {c.unit_code: c for c in before}
    a = {c.unit_code: c for c in after}
    order = [c.unit_code for c in after] + [c.unit_code for c in before if c.unit_code not in a]
    out = []
    for code in order:
        x, y = b.get(code), a.get(code)
        either = y or x
        name = either.unit_name if either else code
        out.append(
            RankChange(
                code,
                name,
                x.rank if x else None,
                y.rank if y else None,
                x.total if x else None,
                y.total if y else None,
            )
        )
    return out


def identical(before: Sequence[Scorecard], after: Sequence[Scorecard]) -> bool:
    """Same units in the same places with the same scores, indicator by indicator."""
    return [(c.unit_code, c.rank, c.total, c.indicators) for c in before] == [
        (c.unit_code, c.rank, c.total, c.indicators) for c in after
    ]
