"""Which of the other services' events feed scoring's projections (SPEC §5)."""

from __future__ import annotations

from diaodu_platform.event_types import ce_type, names
from scoring.adapters.projections import on_problem
from scoring.entrypoints.consumers import ESCALATION, SUBSCRIPTIONS


def test_every_problem_event_keeps_the_projected_problem_current() -> None:
    # problem_plan_filed was once missing here and silently dropped: the projection went stale
    assert set(ESCALATION.handlers) == set(names("escalation"))
    assert ESCALATION.by_ce_type()[ce_type("escalation", "problem_plan_filed")] is on_problem


def test_scoring_consumes_registry_progress_and_escalation() -> None:
    assert [s.service for s in SUBSCRIPTIONS] == ["registry", "progress", "escalation"]
    for s in SUBSCRIPTIONS:
        assert set(s.handlers) | set(s.ignored) == set(names(s.service))
