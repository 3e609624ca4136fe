"""The events progress consumes: the registry's units, projects, campaigns and targets (its projection).

Every event the registry publishes is either applied by adapters/projections.py or ignored here by
name, so a new registry event type cannot be dropped without a decision (diaodu_platform.event_types).
"""

from __future__ import annotations

from diaodu_platform.event_types import Subscription
from progress.adapters import projections

SUBSCRIPTIONS = [
    Subscription(
        "registry",
        {
            "unit_registered": projections.on_unit_registered,
            "unit_updated": projections.on_unit_updated,
            "project_registered": projections.on_project_registered,
            "project_updated": projections.on_project_snapshot,
            "project_stage_changed": projections.on_project_stage_changed,
            "campaign_created": projections.on_campaign_created,
            "target_set": projections.on_target_set,
        },
        # Leaders own problems (escalation) and scorecards (scoring), not reports.
        ignored=("leader_assigned",),
    )
]
