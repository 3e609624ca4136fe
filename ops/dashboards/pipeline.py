"""The event pipeline: outbox relay, Kafka consumers, dead letters and scheduled jobs."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from ops.dashboards.common import SERVICE_REGEX, dashboard, graph, single

SEL = f'service=~"{SERVICE_REGEX}"'
RATE = "[$__rate_interval]"


def build() -> Dashboard:
    return (
        dashboard(
            "diaodu-pipeline",
            "diaodu · event pipeline",
            "Transactional outbox → Kafka → idempotent inbox. Backlog and age say whether events leave "
            "a service; lag and throughput whether they are applied; dead letters what needs a human.",
        )
        .with_row(Row("Outbox (events leaving each service)"))
        .with_panel(
            single(
                "Oldest unpublished event",
                "Age of the oldest outbox row in any service (alert DiaoduOutboxBacklogAging > 120 s).",
                f"max(diaodu_outbox_oldest_age_seconds{{{SEL}}})",
                unit="s",
                red_above=120,
            )
        )
        .with_panel(
            single(
                "Outbox backlog",
                "Outbox rows waiting for the relay, all services.",
                f"sum(max by (service) (diaodu_outbox_backlog{{{SEL}}}))",
                red_above=1000,
            )
        )
        .with_panel(
            single(
                "Published/s",
                "Events the relays published to Kafka per second.",
                f"sum(rate(diaodu_outbox_published_total{{{SEL}}}{RATE}))",
                unit="ops",
            )
        )
        .with_panel(
            single(
                "Publish errors (range)",
                "Failed publish attempts in the selected time range (the relay retries them).",
                f"sum(increase(diaodu_outbox_publish_errors_total{{{SEL}}}[$__range]))",
                red_above=1,
            )
        )
        .with_panel(
            graph(
                "Outbox backlog",
                "Rows waiting per service. The relay of one replica (advisory lock) publishes them.",
                [(f"max by (service) (diaodu_outbox_backlog{{{SEL}}})", "{{service}}")],
                width=8,
            )
        )
        .with_panel(
            graph(
                "Oldest unpublished event age",
                "Grows while Kafka is unreachable; returns to 0 when the relay catches up.",
                [(f"max by (service) (diaodu_outbox_oldest_age_seconds{{{SEL}}})", "{{service}}")],
                unit="s",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Published and failed per second",
                "Outbox rows acknowledged by Kafka, and failed attempts.",
                [
                    (f"sum by (service) (rate(diaodu_outbox_published_total{{{SEL}}}{RATE}))", "{{service}}"),
                    (
                        f"sum by (service) (rate(diaodu_outbox_publish_errors_total{{{SEL}}}{RATE}))",
                        "{{service}} errors",
                    ),
                ],
                unit="ops",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Outbox publish latency p95",
                "Time for the broker to acknowledge one relayed batch (acks=all).",
                [
                    (
                        "histogram_quantile(0.95, sum by (le, service) "
                        f"(rate(diaodu_outbox_publish_seconds_bucket{{{SEL}}}{RATE})))",
                        "{{service}}",
                    )
                ],
                unit="s",
                width=12,
            )
        )
        .with_panel(
            graph(
                "Outbox rows published and failed attempts",
                "Events relayed from the outbox to Kafka, and failed publish attempts (rows wait and retry).",
                [
                    (
                        f"sum by (service) (rate(diaodu_outbox_published_total{{{SEL}}}{RATE}))",
                        "{{service}} published",
                    ),
                    (
                        f"sum by (service) (rate(diaodu_outbox_publish_errors_total{{{SEL}}}{RATE}))",
                        "{{service}} failed attempts",
                    ),
                ],
                unit="ops",
                width=12,
            )
        )
        .with_row(Row("Consumers (events applied by each service)"))
        .with_panel(
            graph(
                "Consumer group lag",
                "Messages in each consumed topic not yet applied by the service's consumer group "
                "(diaodu-<service>); KEDA scales the consumers on the same number.",
                [
                    (
                        f"max by (service, topic) (diaodu_consumer_group_lag{{{SEL}}})",
                        "{{service}} ← {{topic}}",
                    )
                ],
                width=12,
            )
        )
        .with_panel(
            graph(
                "Events applied per second",
                "Events applied to projections, by consuming service and event type.",
                [
                    (
                        f"sum by (service, event_type) (rate(diaodu_events_consumed_total{{{SEL}}}{RATE}))",
                        "{{service}} {{event_type}}",
                    )
                ],
                unit="ops",
                width=12,
            )
        )
        .with_panel(
            graph(
                "Batch apply time p95",
                "Time to apply one consumed batch in one transaction.",
                [
                    (
                        "histogram_quantile(0.95, sum by (le, service) "
                        f"(rate(diaodu_consume_batch_seconds_bucket{{{SEL}}}{RATE})))",
                        "{{service}}",
                    )
                ],
                unit="s",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Redeliveries skipped",
                "Events already applied (inbox hit): normal after a rebalance or restart.",
                [(f"sum by (service) (rate(diaodu_events_duplicate_total{{{SEL}}}{RATE}))", "{{service}}")],
                unit="ops",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Messages received and in process",
                "Kafka messages received by the subscribers, and batches being applied now.",
                [
                    (
                        f"sum by (service) (rate(faststream_received_messages_total{{{SEL}}}{RATE}))",
                        "{{service}}/s",
                    ),
                    (
                        f"sum by (service) (faststream_received_messages_in_process{{{SEL}}})",
                        "{{service}} in process",
                    ),
                ],
                width=8,
            )
        )
        .with_row(Row("Dead letters and scheduled jobs"))
        .with_panel(
            single(
                "Dead-lettered (range)",
                "Events moved to diaodu.<service>.dlq.v1 in the selected range: each needs a human.",
                f"sum(increase(diaodu_events_dead_lettered_total{{{SEL}}}[$__range]))",
                red_above=1,
            )
        )
        .with_panel(
            graph(
                "Dead letters per hour",
                "Events a consumer gave up on after DIAODU_CONSUMER_MAX_ATTEMPTS, by consumer.",
                [
                    (
                        "sum by (service, consumer) "
                        f"(increase(diaodu_events_dead_lettered_total{{{SEL}}}[1h]))",
                        "{{consumer}}",
                    )
                ],
                width=18,
            )
        )
        .with_panel(
            graph(
                "Time since each scheduled job last succeeded",
                "Deadlines, SLA clocks, lights, assessment day…; one replica runs each job at a time.",
                [
                    (
                        "time() - max by (service, scheduled_job) "
                        f"(diaodu_scheduler_last_success_timestamp_seconds{{{SEL}}})",
                        "{{service}} {{scheduled_job}}",
                    )
                ],
                unit="s",
                width=12,
            )
        )
        .with_panel(
            graph(
                "Scheduled job failures per hour",
                "Runs of a scheduled job that raised; the scheduler retries on its next tick.",
                [
                    (
                        "sum by (service, scheduled_job) "
                        f"(increase(diaodu_scheduler_failures_total{{{SEL}}}[1h]))",
                        "{{service}} {{scheduled_job}}",
                    )
                ],
                width=12,
            )
        )
    )
