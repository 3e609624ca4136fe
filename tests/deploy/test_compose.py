"""deploy/docker-compose.yml: valid Compose, production-like, and naming what the code uses."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from deploy_support import settings_class, settings_from, variables

from console.entrypoints.api import jwks
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT, SERVICES

DEPLOY = REPO_ROOT / "deploy"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "compose-spec.json").read_text())
SETTINGS = ServiceSettings.model_construct()  # defaults: no topic namespace
JWKS_PATH = "/.well-known/jwks.json"
# Settings of the HS256 days and local-only key sources: no deployment may set them.
NOT_DEPLOYED = (
    "DIAODU_JWT_SECRET",
    "DIAODU_JWT_ALGORITHM",
    "DIAODU_JWT_JWKS_FILE",
    "DIAODU_JWT_DEV_KEY_FILE",
)


def containers() -> list[str]:
    """Every compose service that runs the diaodu image: the services and their migrate-* one-shots."""
    return [*SERVICES, *(f"migrate-{s}" for s in SERVICES)]


def read_by(container: str) -> type[ServiceSettings]:
    """The settings a container builds: the service's own, or the platform's for `diaodu migrate`."""
    return ServiceSettings if container.startswith("migrate-") else settings_class(container)


def interpolated(env: dict[str, Any]) -> dict[str, str]:
    """The environment as compose passes it when the operator set every ${VARIABLE} (to 'set0')."""
    return {k: re.sub(r"\$\{[A-Z0-9_]+(:[?-][^}]*)?\}", "set0", str(v)) for k, v in env.items()}


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


def test_services_are_configured_only_by_diaodu_variables_like_production(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in containers():
        env = compose["services"][name]["environment"]
        known = variables(read_by(name))
        assert set(env) <= known, f"{name}: {set(env) - known}"
        assert env["DIAODU_ENV"] == "production"
        assert env["DIAODU_KAFKA_IDEMPOTENCE"] == "true"
        assert env["DIAODU_KAFKA_BOOTSTRAP"] == "kafka:9092"
        # What production's checks accept (a JWKS URL; the console: its signing keys), or it raises.
        settings = settings_from(read_by(name), interpolated(env), monkeypatch)
        assert settings.env == "production"


def test_secrets_come_from_the_operators_environment_without_defaults(compose: dict[str, Any]) -> None:
    example = (DEPLOY / ".env.example").read_text()
    secrets = re.findall(r"^([A-Z0-9_]+)=$", example, re.M)
    assert secrets, "deploy/.env.example lists the secrets to set"
    text = (DEPLOY / "docker-compose.yml").read_text()
    for secret in secrets:
        assert f"${{{secret}:?" in text, f"{secret}: compose must refuse to start without it"
        assert f"${{{secret}:-" not in text, f"{secret} has a default in the compose file"


def test_tokens_are_verified_against_the_consoles_jwks_with_no_shared_secret(compose: dict[str, Any]) -> None:
    for file in ("docker-compose.yml", ".env.example"):
        text = (DEPLOY / file).read_text()
        assert not [v for v in NOT_DEPLOYED if v in text], f"deploy/{file} sets a retired token setting"
    console = SERVICES["console"]
    served = {getattr(route, "path", None) for route in jwks.router.routes}
    assert JWKS_PATH in served, "the console serves its JWKS there"
    issuers = set()
    for name in containers():
        env = compose["services"][name]["environment"]
        url = urlsplit(env["DIAODU_JWT_JWKS_URL"])
        assert (url.scheme, url.hostname, url.port, url.path) == ("http", "console", console.port, JWKS_PATH)
        issuers.add((env.get("DIAODU_JWT_ISSUER", "diaodu"), env.get("DIAODU_JWT_AUDIENCE", "diaodu")))
    assert len(issuers) == 1, f"the console signs one iss/aud and every service must expect it: {issuers}"
    assert compose["services"]["console"]["environment"]["DIAODU_HTTP_PORT"] == str(console.port)


def test_only_the_console_holds_signing_keys_from_an_ignored_read_only_folder(
    compose: dict[str, Any],
) -> None:
    console = compose["services"]["console"]
    keys_dir = console["environment"]["DIAODU_CONSOLE_SIGNING_KEYS_DIR"]
    (mount,) = [v for v in console["volumes"] if isinstance(v, dict) and v["target"] == keys_dir]
    assert mount["type"] == "bind" and mount["read_only"] is True
    # A missing folder stops compose rather than starting a console with no key.
    assert mount["bind"]["create_host_path"] is False
    folder = (DEPLOY / mount["source"]).resolve()
    assert folder.parent == DEPLOY
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert f"{folder.name}/" in ignored, "private keys must not be committed"
    # No proxy in front in this stack: the console must not believe X-Forwarded-For.
    assert console["environment"]["DIAODU_TRUSTED_PROXY_HOPS"] == "0"
    for name in containers():
        if name != "console":
            svc = compose["services"][name]
            assert "DIAODU_CONSOLE_SIGNING_KEYS_DIR" not in svc["environment"], name
            assert "volumes" not in svc, f"{name} mounts something"


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
