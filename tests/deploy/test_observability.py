"""Dashboards and alerts: generated files are current, and every metric they query is exported.

The services run in-process against the session's real PostgreSQL and broker (the `runtime`
fixture), get some traffic, and their /metrics is scraped; every metric name a dashboard panel,
dashboard variable or alert rule reads must be among the exported series.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from diaodu_platform.topology import REPO_ROOT, SERVICES
from diaodu_testkit.harness import TestRuntime, namespace, start_service, wait_until
from ops.alerts import generate as alerts_generate
from ops.alerts.rules import GROUPS
from ops.dashboards import generate as dashboards_generate
from ops.promql import PromQLError, Selector, selectors

# Series Prometheus itself adds for every target, and the labels it attaches to every scraped series
# (compose: job, instance and the static `service`; Kubernetes: ServiceMonitor target labels).
SYNTHETIC = {"up"}
TARGET_LABELS = {"service", "job", "instance", "namespace", "pod", "container", "endpoint"}
SUFFIXES = {
    "counter": ("",),
    "gauge": ("",),
    "untyped": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
}


@dataclass
class Exposition:
    series: set[str] = field(default_factory=set)
    labels: dict[str, set[str]] = field(default_factory=dict)  # series with samples → label names

    @classmethod
    def parse(cls, text: str) -> Exposition:
        out = cls()
        for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M):
            out.series |= {name + suffix for suffix in SUFFIXES[kind]}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                out.labels.setdefault(sample.name, set()).update(sample.labels)
        return out


def queried() -> list[tuple[str, str]]:
    """(where, PromQL) of every dashboard panel target, dashboard variable and alert rule."""
    out = []
    for name, text in dashboards_generate.render().items():
        board = json.loads(text)
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                out.append((f"{name} panel {panel['title']!r}", target["expr"]))
        for variable in board["templating"]["list"]:
            if variable["type"] == "query":
                out.append((f"{name} variable {variable['name']}", variable["query"]))
    for group in yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())["groups"]:
        for rule in group["rules"]:
            out.append((f"alert {rule['alert']}", rule["expr"]))
    return out


def owner(metric: str) -> str | None:
    """The service a business metric belongs to (diaodu_<service>_...), None for platform metrics."""
    return next((s for s in SERVICES if metric.startswith(f"diaodu_{s}_")), None)


def test_checked_in_dashboards_are_what_the_generator_writes() -> None:
    assert dashboards_generate.differences() == [], "run `python -m ops.dashboards.generate` and commit"


def test_checked_in_alert_rules_are_what_the_generator_writes() -> None:
    assert alerts_generate.differences() == [], "run `python -m ops.alerts.generate` and commit"


def test_every_alert_has_a_runbook_section() -> None:
    runbook = (REPO_ROOT / "ops" / "RUNBOOK.md").read_text()
    headings = set(re.findall(r"^#+ (\w+)\s*$", runbook, re.M))
    for alerts in GROUPS.values():
        for alert in alerts:
            assert alert.name in headings, f"ops/RUNBOOK.md has no section `### {alert.name}`"


def test_every_query_reads_metrics_and_parses() -> None:
    for where, expr in queried():
        assert selectors(expr), f"{where}: reads no metric: {expr}"


@pytest.mark.parametrize(
    ("expr", "metrics"),
    [
        ('sum by (service) (rate(a_total{x="1"}[5m])) / on (service) b > 0.5', {"a_total", "b"}),
        ("histogram_quantile(0.9, sum by (le) (rate(c_bucket[$__rate_interval])))", {"c_bucket"}),
        ('label_values(d{service=~"$service"}, service)', {"d"}),
        ("time() - max(e) > 3600 unless on (service) f offset 5m", {"e", "f"}),
    ],
)
def test_promql_reader_finds_the_metrics(expr: str, metrics: set[str]) -> None:
    assert {s.metric for s in selectors(expr)} == metrics


@pytest.mark.parametrize("expr", ["sum(rate(a[5m])", 'a{x="1"', '{__name__="a"}'])
def test_promql_reader_refuses_what_it_cannot_read(expr: str) -> None:
    with pytest.raises(PromQLError):
        selectors(expr)


@pytest.fixture(scope="module")
async def exported(runtime: TestRuntime) -> AsyncIterator[dict[str, Exposition]]:
    """Each service's scraped /metrics after some HTTP traffic and one event through the outbox."""
    ns = namespace()
    harnesses = {}
    try:
        for name, info in SERVICES.items():
            create_app = importlib.import_module(info.app.split(":")[0]).create_app
            harnesses[name] = await start_service(
                runtime, service=name, service_dir=info.directory, create_app=create_app, ns=ns
            )
        registry = harnesses["registry"]
        r = await registry.client.post(
            "/api/v1/units",
            json={"code": "fengcheng", "name": "凤城镇", "kind": "township"},
            headers=registry.auth("admin"),
        )
        assert r.status_code == 201, r.text
        for h in harnesses.values():
            assert (await h.client.get("/api/v1/no-such-route")).status_code == 404

        async def relayed() -> bool:
            text = (await registry.client.get("/metrics")).text
            return bool(re.search(r"^diaodu_outbox_published_total [1-9]", text, re.M))

        await wait_until(relayed, timeout=30)
        yield {name: Exposition.parse((await h.client.get("/metrics")).text) for name, h in harnesses.items()}
    finally:
        for h in harnesses.values():
            await h.close()


async def test_every_metric_a_dashboard_or_alert_queries_is_exported(
    exported: dict[str, Exposition],
) -> None:
    missing: dict[str, set[str]] = {}
    for where, expr in queried():
        for metric in {s.metric for s in selectors(expr)} - SYNTHETIC:
            needed_by = [owner(metric)] if owner(metric) else list(SERVICES)
            for service in needed_by:
                if metric not in exported[service].series:
                    missing.setdefault(f"{metric} (from {service})", set()).add(where)
    hint = "queried but not exported (register them in diaodu_platform.metrics, docs/operations.md):\n"
    assert not missing, hint + "\n".join(f"  {m}: {', '.join(sorted(w))}" for m, w in sorted(missing.items()))


async def test_label_matchers_name_labels_the_series_carry(exported: dict[str, Exposition]) -> None:
    """Where a queried series has samples, every label a query matches on must exist on it."""
    wrong = []
    for where, expr in queried():
        for sel in selectors(expr):
            wrong += [f"{where}: {sel.metric}{{{label}}}" for label in _unknown_labels(sel, exported)]
    assert not wrong, "\n".join(wrong)


def _unknown_labels(sel: Selector, exported: dict[str, Exposition]) -> list[str]:
    seen: set[str] = set()
    for exposition in exported.values():
        seen |= exposition.labels.get(sel.metric, set())
    if not seen:
        return []  # no samples yet (e.g. a labelled counter nothing incremented): names only
    return [label for label in sel.labels if label not in seen | TARGET_LABELS]


def test_every_service_is_scraped_by_the_dashboards_service_variable() -> None:
    board: dict[str, Any] = json.loads(dashboards_generate.render()["diaodu-red.json"])
    (variable,) = [v for v in board["templating"]["list"] if v["name"] == "service"]
    for name in SERVICES:
        assert name in variable["query"]
