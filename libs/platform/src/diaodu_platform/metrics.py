"""Prometheus metrics of one service instance, in a registry of its own.

A registry per app (not the process-global one) lets tests run several services in one process.
HTTP RED metrics come from prometheus-fastapi-instrumentator, Kafka consume/publish metrics from
faststream's Prometheus middleware; the outbox, inbox, consumer-lag and scheduler metrics are
diaodu's own, and so are the campaign metrics each business service owns (docs/operations.md#metrics).

Campaign metrics have bounded label sets (SPEC §3 values, or the region's unit codes) and every
labelled series exists from start-up, at 0, so dashboards and alerts see zeros rather than gaps.
Gauges of stored state are refreshed from the database by every replica: aggregate them with max.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

UNIT_KINDS = ("township", "department", "enterprise", "zone")
PROBLEM_LEVELS = ("1", "2", "3")
SLA_CLOCKS = ("acknowledge", "progress", "resolve")


class ProgressMetrics:
    """进度填报: this reporting month's reports (Asia/Shanghai), by kind of unit."""

    def __init__(self, r: CollectorRegistry) -> None:
        self.reports_received = Gauge(
            "diaodu_progress_reports_received",
            "Project reports received for the current reporting month",
            ["unit_kind"],
            registry=r,
        )
        self.reports_missing = Gauge(
            "diaodu_progress_reports_missing",
            "Projects that must report for the current reporting month and have not yet",
            ["unit_kind"],
            registry=r,
        )
        for kind in UNIT_KINDS:
            self.reports_received.labels(unit_kind=kind).set(0)
            self.reports_missing.labels(unit_kind=kind).set(0)


class EscalationMetrics:
    """问题督办: open problems by level (R8), missed 13710 clocks (R7), 督办函 issued."""

    def __init__(self, r: CollectorRegistry) -> None:
        self.open_problems = Gauge(
            "diaodu_escalation_open_problems",
            "Problems not yet closed (销号), by escalation level",
            ["level"],
            registry=r,
        )
        self.sla_breaches = Counter(
            "diaodu_escalation_sla_breaches",
            "13710 SLA clocks missed (one per sla_breached event), by clock and level",
            ["clock", "level"],
            registry=r,
        )
        self.notices_issued = Counter(
            "diaodu_escalation_notices_issued",
            "督办函 issued (one per notice_issued event), by the level escalated to",
            ["level"],
            registry=r,
        )
        for level in PROBLEM_LEVELS:
            self.open_problems.labels(level=level).set(0)
            self.notices_issued.labels(level=level)
            for clock in SLA_CLOCKS:
                self.sla_breaches.labels(clock=clock, level=level)


class ScoringMetrics:
    """考核评分: the monthly assessment (R9) and the latest ranking."""

    def __init__(self, r: CollectorRegistry) -> None:
        self.last_assessment = Gauge(
            "diaodu_scoring_last_assessment_timestamp_seconds",
            "Unix time the latest monthly assessment (ranking) was published; 0 if never",
            registry=r,
        )
        self.next_assessment_due = Gauge(
            "diaodu_scoring_next_assessment_due_timestamp_seconds",
            "Unix time the earliest unpublished monthly assessment is due; 0 if none is scheduled",
            registry=r,
        )
        self.unit_rank = Gauge(
            "diaodu_scoring_unit_rank",
            "Position of each unit in the latest published ranking (1 = best)",
            ["unit", "unit_kind"],
            registry=r,
        )
        self.unit_score = Gauge(
            "diaodu_scoring_unit_score",
            "Total score of each unit in the latest published ranking",
            ["unit", "unit_kind"],
            registry=r,
        )


class Metrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._outbox(r)
        self._consumer(r)
        self.scheduler_last_success = Gauge(
            "diaodu_scheduler_last_success_timestamp_seconds",
            "Unix time a scheduled job last ran to completion on this replica (0: not yet)",
            ["scheduled_job"],
            registry=r,
        )
        self.scheduler_failures = Counter(
            "diaodu_scheduler_failures", "Scheduled job runs that raised", ["scheduled_job"], registry=r
        )
        self.info = Gauge("diaodu_service_info", "Static service information", ["service"], registry=r)
        self.info.labels(service=service).set(1)
        # Campaign metrics, registered only in the service that owns them.
        self.progress = ProgressMetrics(r) if service == "progress" else None
        self.escalation = EscalationMetrics(r) if service == "escalation" else None
        self.scoring = ScoringMetrics(r) if service == "scoring" else None

    def _outbox(self, r: CollectorRegistry) -> None:
        self.outbox_backlog = Gauge(
            "diaodu_outbox_backlog", "Outbox rows waiting to be published", registry=r
        )
        self.outbox_oldest_age = Gauge(
            "diaodu_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", registry=r
        )
        self.outbox_published = Counter(
            "diaodu_outbox_published", "Outbox rows published to Kafka", registry=r
        )
        self.outbox_publish_seconds = Histogram(
            "diaodu_outbox_publish_seconds",
            "Time for the broker to acknowledge one relayed batch of outbox rows",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.outbox_publish_errors = Counter(
            "diaodu_outbox_publish_errors", "Failed outbox publish attempts", registry=r
        )

    def _consumer(self, r: CollectorRegistry) -> None:
        self.events_consumed = Counter(
            "diaodu_events_consumed",
            "Events applied by a consumer",
            ["consumer", "event_type"],
            registry=r,
        )
        self.events_duplicate = Counter(
            "diaodu_events_duplicate", "Redelivered events skipped by the inbox", ["consumer"], registry=r
        )
        self.events_dead_lettered = Counter(
            "diaodu_events_dead_lettered", "Events sent to the dead-letter topic", ["consumer"], registry=r
        )
        self.consume_batch_seconds = Histogram(
            "diaodu_consume_batch_seconds",
            "Time to apply one consumed batch",
            ["consumer"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.consumer_group_lag = Gauge(
            "diaodu_consumer_group_lag",
            "Messages of a consumed topic not yet committed by this service's consumer group, "
            "all partitions (every replica reports the group's total: aggregate with max)",
            ["topic"],
            registry=r,
        )
