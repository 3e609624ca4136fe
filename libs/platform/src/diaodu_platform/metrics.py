"""Prometheus metrics of one service instance, in a registry of its own.

A registry per app (not the process-global one) lets tests run several services in one process.
HTTP RED metrics come from prometheus-fastapi-instrumentator, Kafka consume/publish metrics from
faststream's Prometheus middleware; the outbox and inbox metrics are diaodu's own.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        labels = {"service": service}
        r = self.registry
        self.outbox_backlog = Gauge(
            "diaodu_outbox_backlog", "Outbox rows waiting to be published", registry=r
        )
        self.outbox_oldest_age = Gauge(
            "diaodu_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", registry=r
        )
        self.outbox_published = Counter(
            "diaodu_outbox_published", "Outbox rows published to Kafka", registry=r
        )
        self.outbox_publish_errors = Counter(
            "diaodu_outbox_publish_errors", "Failed outbox publish attempts", registry=r
        )
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
        self.info = Gauge("diaodu_service_info", "Static service information", ["service"], registry=r)
        self.info.labels(**labels).set(1)
