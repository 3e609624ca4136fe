"""The alert rules, written once: the compose Prometheus and the Kubernetes PrometheusRule both get them.

Every alert names its runbook section (ops/RUNBOOK.md#<alert name in lower case>). `audience` routes
the campaign alerts to the campaign office (发改局/督查室) and the rest to the ops on-call.
"""

from __future__ import annotations

from dataclasses import dataclass

from diaodu_platform.topology import SERVICES

SERVICE = f'service=~"{"|".join(SERVICES)}"'


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: str
    summary: str
    description: str
    audience: str = "ops"

    def rule(self) -> dict[str, object]:
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity, "audience": self.audience, "system": "diaodu"},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": f"ops/RUNBOOK.md#{self.name.lower()}",
            },
        }


GROUPS: dict[str, list[Alert]] = {
    "diaodu.availability": [
        Alert(
            "DiaoduServiceDown",
            f"up{{{SERVICE}}} == 0",
            "2m",
            "critical",
            "{{ $labels.service }} replica {{ $labels.instance }} is not answering /metrics",
            "Prometheus could not scrape {{ $labels.instance }} for 2 minutes: the process is down, "
            "hung or unreachable.",
        ),
        Alert(
            "DiaoduHttp5xxRate",
            f'sum by (service) (rate(http_requests_total{{{SERVICE}, status=~"5.."}}[5m]))\n'
            f"  / sum by (service) (rate(http_requests_total{{{SERVICE}}}[5m])) > 0.05\n"
            f'and sum by (service) (increase(http_requests_total{{{SERVICE}, status=~"5.."}}[5m])) >= 5',
            "5m",
            "critical",
            "{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with 5xx",
            "More than 5% of {{ $labels.service }}'s API requests failed with a server error over 5 "
            "minutes (at least 5 of them).",
        ),
    ],
    "diaodu.pipeline": [
        Alert(
            "DiaoduOutboxBacklogAging",
            f"max by (service) (diaodu_outbox_oldest_age_seconds{{{SERVICE}}}) > 120",
            "5m",
            "warning",
            "{{ $labels.service }} has events waiting {{ $value | humanizeDuration }} in its outbox",
            "The oldest unpublished outbox row of {{ $labels.service }} is older than 2 minutes: "
            "other services and the 督查室 do not see its latest facts yet.",
        ),
        Alert(
            "DiaoduOutboxStuck",
            f"max by (service) (diaodu_outbox_oldest_age_seconds{{{SERVICE}}}) > 900",
            "5m",
            "critical",
            "{{ $labels.service }} has not published events for {{ $value | humanizeDuration }}",
            "The outbox relay of {{ $labels.service }} has not published for over 15 minutes.",
        ),
        Alert(
            "DiaoduConsumerLagHigh",
            f"max by (service, topic) (diaodu_consumer_group_lag{{{SERVICE}}}) > 1000",
            "10m",
            "warning",
            "{{ $labels.service }} is {{ $value }} messages behind on {{ $labels.topic }}",
            "The consumer group diaodu-{{ $labels.service }} has more than 1000 unapplied messages "
            "on {{ $labels.topic }} for 10 minutes; its projections are stale.",
        ),
        Alert(
            "DiaoduConsumerStalled",
            f"max by (service, topic) (diaodu_consumer_group_lag{{{SERVICE}}}) > 0\n"
            "unless on (service)\n"
            f"  sum by (service) (rate(diaodu_events_consumed_total{{{SERVICE}}}[15m])) > 0",
            "15m",
            "critical",
            "{{ $labels.service }} applies nothing while {{ $labels.topic }} has {{ $value }} waiting",
            "diaodu-{{ $labels.service }} has lag on {{ $labels.topic }} and applied no event for "
            "15 minutes.",
        ),
        Alert(
            "DiaoduDeadLetterGrowth",
            f"sum by (service, consumer) (increase(diaodu_events_dead_lettered_total{{{SERVICE}}}[15m])) > 0",
            "1m",
            "warning",
            "{{ $labels.service }} dead-lettered {{ $value }} events in 15 minutes",
            "Events failed DIAODU_CONSUMER_MAX_ATTEMPTS times in {{ $labels.service }} and went to "
            "diaodu.{{ $labels.service }}.dlq.v1; the rest of the stream goes on without them.",
        ),
        Alert(
            "DiaoduScheduledJobFailing",
            "sum by (service, scheduled_job) "
            f"(increase(diaodu_scheduler_failures_total{{{SERVICE}}}[15m])) > 0",
            "15m",
            "warning",
            "{{ $labels.service }} job {{ $labels.scheduled_job }} keeps failing",
            "The scheduled job {{ $labels.scheduled_job }} of {{ $labels.service }} raised on every "
            "run for 15 minutes (deadlines, SLA clocks, lights or assessment day are not advancing).",
        ),
    ],
    "diaodu.campaign": [
        Alert(
            "DiaoduSlaBreachesSpike",
            "sum(increase(diaodu_escalation_sla_breaches_total[1h])) > 10\n"
            "and sum(increase(diaodu_escalation_sla_breaches_total[1h]))"
            " > 3 * sum(increase(diaodu_escalation_sla_breaches_total[7d])) / 168",
            "10m",
            "warning",
            "{{ $value }} SLA clocks (13710) were missed in the last hour",
            "SLA breaches in the last hour are more than 10 and three times the hourly average of "
            "the past week: a unit stopped working its problems, or the clocks misfired.",
            audience="campaign-office",
        ),
        Alert(
            "DiaoduAssessmentRunMissed",
            "time() - max(diaodu_scoring_next_assessment_due_timestamp_seconds) > 3600\n"
            "and max(diaodu_scoring_next_assessment_due_timestamp_seconds) > 0",
            "5m",
            "critical",
            "The monthly assessment (考核) due {{ $value | humanizeDuration }} ago has not run",
            "The scoring service has not published the ranking that was due more than an hour ago.",
            audience="campaign-office",
        ),
    ],
}


def groups() -> list[dict[str, object]]:
    return [{"name": name, "rules": [a.rule() for a in alerts]} for name, alerts in GROUPS.items()]
