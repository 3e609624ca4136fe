"""R6 rates on a hand-computed fixture (pure domain)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from progress.domain.rates import ProjectState, rates

AT = date(2025, 6, 30)
START = date(2025, 1, 1)


def p(
    pid: str,
    build: str,
    status: str | None,
    *,
    planned: date | None = None,
    stats: bool = False,
    procedures: tuple[str, ...] = (),
) -> ProjectState:
    return ProjectState(
        project_id=pid,
        build_type=build,
        planned_start=planned,
        status=status,
        stats_registered=stats,
        procedure_states=procedures,
    )


# Continuing: c1 resumed, c2 started, c3 suspended, c4 completed, c5 never reported  → 复工率 3/5.
# New planned in the period: n1 started, n2 not started, n3 resumed after a stop → 新建开工率 2/3.
# n4 planned for November (outside the period) and already started; n5 without a planned start.
# 开复工率 = (2 + 3) / (3 + 5) = 5/8.
# 手续办结率 over n1, n2, n3: n1 done/done/required, n2 done/not_required, n3 in_progress → 3/5.
# 入统率: started = c1, c2, c4, n1, n3, n4 (6); registered c1, c4, n1, n4 → 4/6.
FIXTURE = [
    p("c1", "continuing", "resumed", stats=True),
    p("c2", "continuing", "started"),
    p("c3", "continuing", "suspended", stats=True),
    p("c4", "continuing", "completed", stats=True),
    p("c5", "continuing", None),
    p("n1", "new", "started", planned=date(2025, 2, 1), stats=True, procedures=("done", "done", "required")),
    p("n2", "new", "not_started", planned=date(2025, 6, 30), procedures=("done", "not_required")),
    p("n3", "new", "resumed", planned=date(2025, 1, 1), procedures=("in_progress",)),
    p("n4", "new", "started", planned=date(2025, 11, 1), stats=True, procedures=("required",)),
    p("n5", "new", "not_started"),
]


def test_r6_rates_match_hand_computed_values() -> None:
    out = {r.name: (r.numerator, r.denominator, r.value) for r in rates(FIXTURE, period_start=START, at=AT)}
    assert out == {
        "restart_rate": (3, 5, Decimal("0.6000")),
        "new_start_rate": (2, 3, Decimal("0.6667")),
        "start_rate": (5, 8, Decimal("0.6250")),
        "procedure_completion_rate": (3, 5, Decimal("0.6000")),
        "stats_rate": (4, 6, Decimal("0.6667")),
    }


def test_the_period_decides_which_new_projects_were_planned_to_start() -> None:
    early = {
        r.name: (r.numerator, r.denominator) for r in rates(FIXTURE, period_start=START, at=date(2025, 3, 31))
    }
    assert early["new_start_rate"] == (2, 2)  # n2 is planned for 30 June: not yet due
    campaign = {
        r.name: (r.numerator, r.denominator)
        for r in rates(FIXTURE, period_start=date(2025, 11, 1), at=date(2026, 2, 20))
    }
    assert campaign["new_start_rate"] == (1, 1)  # only n4 falls in the winter window


def test_an_empty_population_has_no_rate_rather_than_zero() -> None:
    assert all(r.value is None and r.denominator == 0 for r in rates([], period_start=START, at=AT))
