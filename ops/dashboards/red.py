"""Per-service RED dashboard: rate, errors and duration of every service's HTTP API, one row each."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from ops.dashboards.common import dashboard, graph, single

SEL = 'service="$service"'
RATE = "[$__rate_interval]"


def build() -> Dashboard:
    return (
        dashboard(
            "diaodu-red",
            "diaodu · services (RED)",
            "Requests, errors and latency of each diaodu service's HTTP API (/metrics, /healthz and "
            "/readyz excluded). One row per service; pick services with the variable above.",
            service_variable=True,
        )
        .with_row(Row("$service").repeat("service"))
        .with_panel(
            single(
                "Up",
                "1 when Prometheus scraped the service's /metrics on its last attempt (every replica).",
                f"min(up{{{SEL}}})",
                red_below=1,
                width=4,
            )
        )
        .with_panel(
            single(
                "Requests/s",
                "All API requests per second, all replicas.",
                f"sum(rate(http_requests_total{{{SEL}}}{RATE}))",
                unit="reqps",
                width=5,
            )
        )
        .with_panel(
            single(
                "5xx ratio",
                "Share of requests answered with a 5xx status (alert DiaoduHttp5xxRate fires above 5%).",
                f'sum(rate(http_requests_total{{{SEL}, status=~"5.."}}{RATE})) '
                f"/ sum(rate(http_requests_total{{{SEL}}}{RATE}))",
                unit="percentunit",
                width=5,
                red_above=0.05,
            )
        )
        .with_panel(
            single(
                "p95 latency",
                "95th percentile of request duration, all handlers.",
                "histogram_quantile(0.95, sum by (le) "
                f"(rate(http_request_duration_seconds_bucket{{{SEL}}}{RATE})))",
                unit="s",
                width=5,
                red_above=1,
            )
        )
        .with_panel(
            single(
                "4xx ratio",
                "Share of requests refused as the client's error (validation, auth, not found).",
                f'sum(rate(http_requests_total{{{SEL}, status=~"4.."}}{RATE})) '
                f"/ sum(rate(http_requests_total{{{SEL}}}{RATE}))",
                unit="percentunit",
                width=5,
            )
        )
        .with_panel(
            graph(
                "Rate by status",
                "Requests per second by HTTP status.",
                [(f"sum by (status) (rate(http_requests_total{{{SEL}}}{RATE}))", "{{status}}")],
                unit="reqps",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Errors (5xx) by handler",
                "Requests per second answered with 5xx, by route.",
                [
                    (
                        f'sum by (handler) (rate(http_requests_total{{{SEL}, status=~"5.."}}{RATE}))',
                        "{{handler}}",
                    )
                ],
                unit="reqps",
                width=8,
            )
        )
        .with_panel(
            graph(
                "Duration",
                "Request duration quantiles over all handlers.",
                [
                    (
                        f"histogram_quantile({q}, sum by (le) "
                        f"(rate(http_request_duration_seconds_bucket{{{SEL}}}{RATE})))",
                        f"p{round(q * 100)}",
                    )
                    for q in (0.5, 0.95, 0.99)
                ],
                unit="s",
                width=8,
            )
        )
        .with_panel(
            graph(
                "p95 duration by handler",
                "Slowest routes first: the 95th percentile per route.",
                [
                    (
                        "histogram_quantile(0.95, sum by (le, handler) "
                        f"(rate(http_request_duration_seconds_bucket{{{SEL}}}{RATE})))",
                        "{{handler}}",
                    )
                ],
                unit="s",
                width=12,
            )
        )
        .with_panel(
            graph(
                "Rate by handler",
                "Requests per second per route and method.",
                [
                    (
                        f"sum by (handler, method) (rate(http_requests_total{{{SEL}}}{RATE}))",
                        "{{method}} {{handler}}",
                    )
                ],
                unit="reqps",
                width=12,
            )
        )
    )
