"""deploy/docker-compose.yml: valid Compose, production-like, and naming what the code uses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT, SERVICES

DEPLOY = REPO_ROOT / "deploy"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "compose-spec.json").read_text())
SETTINGS = ServiceSettings.model_construct()  # defaults: no topic namespace


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert schema_errors(compose) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "registry", "depends_on", "kafka", "condition"), "service_ready"),
        (("services", "registry", "restart_policy"), "always"),
        (("services", "kafka", "healthcheck"), {"test": ["CMD", "true"], "interval_s": 10}),
        (("volumes", "kafka-data"), {"drivr": "local"}),
        (("servics",), {}),
    ],
    ids=lambda v: ".".join(v) if isinstance(v, tuple) else None,
)
def test_the_schema_rejects_a_broken_compose_file(
    compose: dict[str, Any], path: tuple[str, ...], value: Any
) -> None:
    broken = copy.deepcopy(compose)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert schema_errors(broken), f"{'.'.join(path)}={value!r} passed"


def test_every_service_runs_with_its_migration_topics_and_database(compose: dict[str, Any]) -> None:
    services = compose["services"]
    postgres_dbs = set(services["postgres"]["environment"]["DATABASES"].split())
    assert postgres_dbs == {info.database for info in SERVICES.values()}
    for name, info in SERVICES.items():
        svc, migrate = services[name], services[f"migrate-{name}"]
        env = svc["environment"]
        assert env["DIAODU_SERVICE"] == name and env["DIAODU_HTTP_PORT"] == str(info.port)
        assert svc["ports"] == [f"127.0.0.1:{info.port}:{info.port}"]
        for url in (env["DIAODU_DATABASE_URL"], migrate["environment"]["DIAODU_DATABASE_URL"]):
            assert url.startswith(f"postgresql+asyncpg://{info.database}:")
            assert url.endswith(f"@postgres:5432/{info.database}")
        assert migrate["command"] == ["diaodu", "migrate", name]
        assert "command" not in svc, "services serve; only the migrate-* one-shots migrate"
        assert svc["depends_on"][f"migrate-{name}"] == {"condition": "service_completed_successfully"}
        assert svc["depends_on"]["topics"] == {"condition": "service_completed_successfully"}
        assert svc["depends_on"]["kafka"] == {"condition": "service_healthy"}
        assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert svc["image"] == migrate["image"] and svc["build"] == migrate["build"]
        assert (
            DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]
        ).resolve() == REPO_ROOT / "Dockerfile"
    topics = set(services["topics"]["environment"]["TOPICS"].split())
    assert topics == {SETTINGS.topic(s) for s in SERVICES} | {SETTINGS.dead_letter_topic(s) for s in SERVICES}


def test_services_are_configured_only_by_diaodu_variables_like_production(compose: dict[str, Any]) -> None:
    known = {f"DIAODU_{f.upper()}" for f in ServiceSettings.model_fields}
    for name in [*SERVICES, *(f"migrate-{s}" for s in SERVICES)]:
        env = compose["services"][name]["environment"]
        assert set(env) <= known, f"{name}: {set(env) - known}"
        assert env["DIAODU_ENV"] == "production"
        assert env["DIAODU_KAFKA_IDEMPOTENCE"] == "true"
        assert env["DIAODU_KAFKA_BOOTSTRAP"] == "kafka:9092"
        # The secret comes from the operator's environment, with no default in the file.
        assert env["DIAODU_JWT_SECRET"].startswith("${DIAODU_JWT_SECRET:?")
    text = (DEPLOY / "docker-compose.yml").read_text()
    assert ":-" not in text.split("DIAODU_JWT_SECRET:", 1)[1].split("\n", 1)[0]


def test_kafka_runs_in_kraft_mode(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert set(kafka["environment"]["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in k for k in kafka["environment"])
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_prometheus_scrapes_every_service_and_loads_the_generated_rules(compose: dict[str, Any]) -> None:
    from ops.alerts.generate import differences

    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "diaodu"]
    targets = {(t["targets"][0], t["labels"]["service"]) for t in job["static_configs"]}
    assert targets == {(f"{name}:{info.port}", name) for name, info in SERVICES.items()}
    assert job["metrics_path"] == "/metrics"
    mounts = compose["services"]["prometheus"]["volumes"]
    assert f"./prometheus/alerts.yml:{config['rule_files'][0]}:ro" in mounts
    assert differences() == [], "run `python -m ops.alerts.generate`"


def test_grafana_provisions_the_datasource_and_the_generated_dashboards(compose: dict[str, Any]) -> None:
    provider = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "dashboards" / "diaodu.yml").read_text())
    datasource = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['providers'][0]['options']['path']}:ro" in mounts
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    assert compose["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${")
