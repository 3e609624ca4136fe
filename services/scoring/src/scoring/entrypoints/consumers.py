"""Subscribers: the registry, progress and escalation events the scoring projections are built from
(fields per docs/event-contracts.md). Each handler runs in the consumer's batch transaction with
the inbox row, so a redelivered event never reaches it twice.

Every event type of each producer is either handled or ignored here by name, so a type a producer
adds cannot be dropped unnoticed (diaodu_platform.event_types.Subscription checks it)."""

from __future__ import annotations

from diaodu_platform.event_types import Subscription
from scoring.adapters import projections as p

REGISTRY = Subscription(
    "registry",
    {
        "unit_registered": p.on_unit,
        "unit_updated": p.on_unit,
        "leader_assigned": p.on_leader_assigned,
        "project_registered": p.on_project,
        "project_updated": p.on_project,
        "project_stage_changed": p.on_stage_changed,
        "target_set": p.on_target_set,
    },
    # Campaign targets arrive as target_set; the campaign itself decides no score.
    ignored=("campaign_created",),
)
PROGRESS = Subscription(
    "progress",
    {
        "report_submitted": p.on_report,
        "report_revised": p.on_report,
        "unit_return_submitted": p.on_unit_return,
    },
    # Scoring measures the reported figures themselves (R9), not progress's reminders, lights and flags.
    ignored=(
        "report_reminder_due",
        "report_overdue",
        "light_changed",
        "anomaly_flagged",
        "anomaly_reviewed",
    ),
)
# Every problem event carries the problem's state: each one keeps the projected problem current.
PROBLEM_EVENTS = (
    "problem_raised",
    "problem_assigned",
    "problem_acknowledged",
    "problem_progressed",
    "problem_plan_filed",
    "sla_reminder",
    "sla_breached",
    "problem_escalated",
    "notice_issued",
    "meeting_item_added",
    "problem_resolved",
    "problem_reopened",
)
ESCALATION = Subscription("escalation", dict.fromkeys(PROBLEM_EVENTS, p.on_problem))

SUBSCRIPTIONS = [REGISTRY, PROGRESS, ESCALATION]
