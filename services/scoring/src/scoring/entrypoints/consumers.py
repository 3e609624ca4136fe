"""Subscribers: the registry, progress and escalation events the scoring projections are built from
(fields per docs/event-contracts.md). Each handler runs in the consumer's batch transaction with
the inbox row, so a redelivered event never reaches it twice."""

from __future__ import annotations

from diaodu_platform.app import Subscription
from diaodu_platform.consumer import Handler
from scoring.adapters import projections as p


def ce_type(service: str, name: str, version: int = 1) -> str:
    return f"diaodu.{service}.{name}.v{version}"


REGISTRY: dict[str, Handler] = {
    ce_type("registry", "unit_registered"): p.on_unit,
    ce_type("registry", "unit_updated"): p.on_unit,
    ce_type("registry", "leader_assigned"): p.on_leader_assigned,
    ce_type("registry", "project_registered"): p.on_project,
    ce_type("registry", "project_updated"): p.on_project,
    ce_type("registry", "project_stage_changed"): p.on_stage_changed,
    ce_type("registry", "target_set"): p.on_target_set,
}
PROGRESS: dict[str, Handler] = {
    ce_type("progress", "report_submitted"): p.on_report,
    ce_type("progress", "report_revised"): p.on_report,
    ce_type("progress", "unit_return_submitted"): p.on_unit_return,
}
PROBLEM_EVENTS = (
    "problem_raised",
    "problem_assigned",
    "problem_acknowledged",
    "problem_progressed",
    "sla_reminder",
    "sla_breached",
    "problem_escalated",
    "notice_issued",
    "meeting_item_added",
    "problem_resolved",
    "problem_reopened",
)
ESCALATION: dict[str, Handler] = {ce_type("escalation", name): p.on_problem for name in PROBLEM_EVENTS}

SUBSCRIPTIONS = [
    Subscription("registry", REGISTRY),
    Subscription("progress", PROGRESS),
    Subscription("escalation", ESCALATION),
]
