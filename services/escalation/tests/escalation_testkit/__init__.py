"""The escalation service's test kit: the service on the real runtime, feeds of the registry's and
the progress service's events, ways to watch it, and in-memory fakes for the handlers' unit tests.

Integration tests reach these as one namespace through the `kit` fixture (tests/conftest.py).
"""

from escalation_testkit.feeds import (
    leader_assigned,
    progress_envelope,
    project_registered,
    send_progress,
    send_registry,
    unit_registered,
)
from escalation_testkit.harness import ESCALATION, SERVICE_DIR, fast_app, start_escalation
from escalation_testkit.observe import (
    Samples,
    assert_every_event_matches_its_schema,
    call,
    count,
    of_problem,
    outbox_drained,
    sample,
    scrape,
    set_clock,
    topic_records,
    wait_for_projection,
)

__all__ = [
    "ESCALATION",
    "SERVICE_DIR",
    "Samples",
    "assert_every_event_matches_its_schema",
    "call",
    "count",
    "fast_app",
    "leader_assigned",
    "of_problem",
    "outbox_drained",
    "progress_envelope",
    "project_registered",
    "sample",
    "scrape",
    "send_progress",
    "send_registry",
    "set_clock",
    "start_escalation",
    "topic_records",
    "unit_registered",
    "wait_for_projection",
]
