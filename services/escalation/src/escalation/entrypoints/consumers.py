"""The events of other services this one applies to its projections (SPEC §2, §5).

Each producer's every event is either handled here or ignored by name, so a new event type of the
registry or the progress service cannot be dropped unnoticed (diaodu_platform.event_types checks it).
"""

from __future__ import annotations

from diaodu_platform.event_types import Subscription
from escalation.adapters.projections import (
    on_leader_assigned,
    on_light_changed,
    on_project_registered,
    on_project_stage_changed,
    on_project_updated,
    on_report_overdue,
    on_unit_registered,
    on_unit_updated,
)

SUBSCRIPTIONS = [
    Subscription(
        "registry",
        {
            "unit_registered": on_unit_registered,
            "unit_updated": on_unit_updated,
            "project_registered": on_project_registered,
            "project_updated": on_project_updated,
            "project_stage_changed": on_project_stage_changed,
            "leader_assigned": on_leader_assigned,
        },
        # Campaigns and targets are the scoring side's; a problem needs neither.
        ignored=("campaign_created", "target_set"),
    ),
    Subscription(
        "progress",
        {
            # R3 / R5: a red light held for two months, or two overdue reports, raise a problem.
            "light_changed": on_light_changed,
            "report_overdue": on_report_overdue,
        },
        # Figures, revisions, reminders and anomalies are the progress service's own business.
        ignored=(
            "report_submitted",
            "report_revised",
            "unit_return_submitted",
            "report_reminder_due",
            "anomaly_flagged",
            "anomaly_reviewed",
        ),
    ),
]
