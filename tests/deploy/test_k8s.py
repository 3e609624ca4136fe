"""k8s/: each overlay renders with `kubectl kustomize`, validates strictly, and matches the code."""

from __future__ import annotations

import copy
import importlib
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from deploy_support import (
    K8S,
    OVERLAYS,
    Validator,
    graceful_shutdown_s,
    kustomize,
    settings_class,
    settings_from,
    variables,
)

from console.adapters.signing import keys_in
from console.entrypoints.api import jwks
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import SERVICES

SETTINGS = ServiceSettings.model_construct()  # the defaults: no topic namespace, no environment
JWKS_PATH = "/.well-known/jwks.json"
# Settings of the HS256 days and local-only key sources: no manifest may set them.
NOT_DEPLOYED = (
    "DIAODU_JWT_SECRET",
    "DIAODU_JWT_ALGORITHM",
    "DIAODU_JWT_JWKS_FILE",
    "DIAODU_JWT_DEV_KEY_FILE",
)


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def consumed_topics(service: str) -> set[str]:
    spec = importlib.import_module(f"{service}.entrypoints.main").SPEC
    return {SETTINGS.topic(s.service) for s in spec.subscriptions}


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_validates_strictly_including_custom_resources(
    rendered: dict[str, list[dict[str, Any]]], validate: Validator, overlay: str
) -> None:
    docs = rendered[overlay]
    errors = [e for doc in docs for e in validate(doc)]
    assert not errors, "\n".join(errors)
    kinds = {d["kind"] for d in docs}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "Database", "ScaledObject"} <= kinds
    assert {"ServiceMonitor", "PrometheusRule", "Job", "Deployment", "PodDisruptionBudget"} <= kinds
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {
        f"diaodu{'-dev' if overlay == 'dev' else ''}"
    }


BROKEN: list[tuple[str, str, Any]] = [
    # (kind, dotted path to set, value): each makes a valid rendered resource invalid.
    ("Deployment", "spec.template.spec.containers.0.livenessprobe", {"httpGet": {"path": "/healthz"}}),
    ("Deployment", "spec.replicas", "two"),
    ("Deployment", "spec.template.spec.containers.0.securityContext.runAsNonRoot", "yes"),
    ("PodDisruptionBudget", "spec.maxUnavailabe", 1),
    ("KafkaTopic", "spec.partitions", 0),
    ("KafkaTopic", "spec.replica", 3),
    ("KafkaNodePool", "spec.roles", ["broker", "zookeeper"]),
    ("Kafka", "spec.kafka.listeners.0.type", "public"),
    ("Cluster", "spec.instances", 0),
    ("Cluster", "spec.managed.roles.0.ensure", "maybe"),
    ("Database", "spec.name", "postgres"),
    ("ScaledObject", "spec.triggers.0.metadata.lagThreshold", 500),
    ("ScaledObject", "spec.scaleTargetRef", {"kind": "Deployment"}),
    ("ServiceMonitor", "spec.endpoints.0.interval", "fifteen seconds"),
    ("PrometheusRule", "spec.groups.0.rules.0.for", "5 minutes"),
    ("PrometheusRule", "metadata.labels.prometheus", 1),
]


def _set(doc: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value


@pytest.mark.parametrize(("kind", "path", "value"), BROKEN, ids=[f"{k}:{p}" for k, p, _ in BROKEN])
def test_validator_rejects_a_broken_manifest(
    rendered: dict[str, list[dict[str, Any]]], validate: Validator, kind: str, path: str, value: Any
) -> None:
    doc = copy.deepcopy(of_kind(rendered["prod"], kind)[0])
    assert validate(doc) == []
    _set(doc, path, value)
    errors = validate(doc)
    assert errors, f"{kind} with {path}={value!r} passed validation"
    assert any(path.rsplit(".", 1)[-1] in e for e in errors), errors


def test_validator_rejects_a_kind_it_has_no_schema_for(validate: Validator) -> None:
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    assert any("no schema" in e for e in validate(doc))


def test_a_broken_file_in_base_fails_the_overlay(tmp_path: Path, kubectl: str, validate: Validator) -> None:
    """The whole path an operator runs: kustomize the overlay, validate, refuse."""
    copy_root = tmp_path / "k8s"
    shutil.copytree(K8S, copy_root)
    registry = copy_root / "base" / "registry.yaml"
    registry.write_text(registry.read_text().replace("readOnlyRootFilesystem: true", "readOnlyRootFs: true"))
    errors = [e for doc in kustomize(kubectl, copy_root / "overlays" / "prod") for e in validate(doc)]
    assert any("readOnlyRootFs" in e for e in errors), errors


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_file_with_its_workload(service: str) -> None:
    docs = [d for d in yaml.safe_load_all((K8S / "base" / f"{service}.yaml").read_text()) if d]
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for kind in ("ServiceAccount", "Service", "Deployment", "PodDisruptionBudget"):
        assert (kind, service) in kinds
    assert (("ScaledObject", service) in kinds) == bool(consumed_topics(service))


def _pods(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"]) for d in docs
            if d["kind"] in ("Deployment", "Job")]  # fmt: skip


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_restricted_with_resources(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    pods = _pods(rendered[overlay])
    assert len(pods) == len(SERVICES) + 1
    for what, pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True, what
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, what
        assert pod["automountServiceAccountToken"] is False, what
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, what
            assert sc["readOnlyRootFilesystem"] is True, what
            assert sc["runAsNonRoot"] is True, what
            assert sc["capabilities"] == {"drop": ["ALL"]}, what
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, what
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), f"{what} {kind}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_probe_health_and_shut_down_after_their_kafka_client(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    config = named(docs, "ConfigMap", "diaodu-config")["data"]
    kafka_stop_s = int(config["DIAODU_KAFKA_REQUEST_TIMEOUT_MS"]) / 1000
    for name, info in SERVICES.items():
        pod = named(docs, "Deployment", name)["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert c["ports"] == [{"name": "http", "containerPort": info.port, "protocol": "TCP"}]
        env = env_of(c)
        assert env["DIAODU_SERVICE"] == name and env["DIAODU_HTTP_PORT"] == str(info.port)
        assert env["DIAODU_DATABASE_URL"].endswith(f"/{info.database}")
        assert "migrate" not in " ".join(c.get("command", []) + c.get("args", []))
        pre_stop = int(c["lifecycle"]["preStop"]["exec"]["command"][-1])
        # The pod must outlive the preStop pause, uvicorn's graceful shutdown and the Kafka client's.
        assert pod["terminationGracePeriodSeconds"] > pre_stop + graceful_shutdown_s() + kafka_stop_s
        service = named(docs, "Service", name)
        assert service["spec"]["ports"][0]["port"] == info.port
        pdb = named(docs, "PodDisruptionBudget", name)
        assert pdb["spec"]["selector"] == named(docs, "Deployment", name)["spec"]["selector"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_once_per_database_in_a_job(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    job = named(rendered[overlay], "Job", "diaodu-migrate")["spec"]["template"]["spec"]
    commands = {c["name"]: c["command"] for c in job["containers"]}
    assert commands == {name: ["diaodu", "migrate", name] for name in SERVICES}
    for c in job["containers"]:
        assert env_of(c)["DIAODU_DATABASE_URL"].endswith(f"/{SERVICES[c['name']].database}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_topics_and_consumer_groups_are_the_codes(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    (kafka,) = of_kind(docs, "Kafka")
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    pools = of_kind(docs, "KafkaNodePool")
    assert {r for p in pools for r in p["spec"]["roles"]} == {"controller", "broker"}
    topics = {t["metadata"]["name"]: t for t in of_kind(docs, "KafkaTopic")}
    wanted = {SETTINGS.topic(s) for s in SERVICES} | {SETTINGS.dead_letter_topic(s) for s in SERVICES}
    assert set(topics) == wanted
    for t in [*topics.values(), *pools]:
        assert t["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    bootstrap = named(docs, "ConfigMap", "diaodu-config")["data"]["DIAODU_KAFKA_BOOTSTRAP"]
    assert (
        bootstrap == f"{kafka['metadata']['name']}-kafka-bootstrap.{kafka['metadata']['namespace']}.svc:9092"
    )
    scaled = {s["metadata"]["name"]: s for s in of_kind(docs, "ScaledObject")}
    assert set(scaled) == {name for name in SERVICES if consumed_topics(name)}
    for name, so in scaled.items():
        assert so["spec"]["scaleTargetRef"]["name"] == name
        triggers = so["spec"]["triggers"]
        assert {t["type"] for t in triggers} == {"kafka"}
        assert {t["metadata"]["consumerGroup"] for t in triggers} == {SETTINGS.consumer_group(name)}
        assert {t["metadata"]["topic"] for t in triggers} == consumed_topics(name)
        assert {t["metadata"]["bootstrapServers"] for t in triggers} == {bootstrap}
        partitions = min(topics[t["metadata"]["topic"]]["spec"]["partitions"] for t in triggers)
        assert so["spec"]["minReplicaCount"] <= so["spec"]["maxReplicaCount"] <= partitions
        assert "replicas" not in named(docs, "Deployment", name)["spec"], "KEDA owns the replica count"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_postgres_has_a_database_and_role_per_service(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    (cluster,) = of_kind(docs, "Cluster")
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in of_kind(docs, "Database")}
    assert set(databases) == {info.database for info in SERVICES.values()}
    for name, info in SERVICES.items():
        db = databases[info.database]
        assert db["cluster"]["name"] == cluster["metadata"]["name"]
        assert roles[db["owner"]]["login"] is True
        url = env_of(named(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0])
        assert url["DIAODU_DATABASE_URL"].startswith(f"postgresql+asyncpg://{db['owner']}:")
        assert f"@{cluster['metadata']['name']}-rw:5432/" in url["DIAODU_DATABASE_URL"]
        secret = url["DB_PASSWORD"]["secretKeyRef"]["name"]
        assert roles[db["owner"]]["passwordSecret"]["name"] == secret


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_configuration_is_only_diaodu_settings(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    config = named(rendered[overlay], "ConfigMap", "diaodu-config")["data"]
    known = {f"DIAODU_{f.upper()}" for f in ServiceSettings.model_fields}
    assert set(config) <= known, set(config) - known
    assert config["DIAODU_KAFKA_IDEMPOTENCE"] == "true"
    assert config["DIAODU_ENV"] == ("test" if overlay == "dev" else "production")


def test_monitoring_selects_the_services_and_ships_rules_and_dashboards(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    from ops.alerts.rules import groups
    from ops.dashboards.generate import render

    docs = rendered["prod"]
    (monitor,) = of_kind(docs, "ServiceMonitor")
    for name in SERVICES:
        labels = named(docs, "Service", name)["metadata"]["labels"]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert (
            named(docs, "Service", name)["spec"]["ports"][0]["name"]
            == monitor["spec"]["endpoints"][0]["port"]
        )
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert named(docs, "PrometheusRule", "diaodu")["spec"]["groups"] == groups()
    dashboards = named(docs, "ConfigMap", "diaodu-dashboards")
    assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboards["data"] == render()


def test_image_is_pinned_per_overlay(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for overlay in OVERLAYS:
        images = {c["image"] for _, pod in _pods(rendered[overlay]) for c in pod["containers"]}
        assert len(images) == 1, images
        assert re.fullmatch(r"[\w./-]+:[\w.-]+|[\w./-]+@sha256:[0-9a-f]{64}", images.pop())


def _environment(docs: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """A container's environment as the kubelet builds it: its ConfigMaps, then its env with
    $(VAR) references expanded; values from Secrets stand in as 'secret0'."""
    out: dict[str, str] = {}
    for source in container.get("envFrom", []):
        out.update(named(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    for e in container.get("env", []):
        value = e["value"] if "value" in e else "secret0"
        out[e["name"]] = re.sub(r"\$\((\w+)\)", lambda m: out.get(m.group(1), m.group(0)), value)
    return out


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_configured_as_its_settings_accept(
    rendered: dict[str, list[dict[str, Any]]], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each pod's environment names only settings its service reads, and its settings accept it
    (in production: a JWKS URL; the console: its signing keys), as the container would at start."""
    docs = rendered[overlay]
    for what, pod in _pods(docs):
        for c in pod["containers"]:
            # The migration Job runs `diaodu migrate`, which reads the platform's settings.
            cls = ServiceSettings if what.startswith("Job/") else settings_class(c["name"])
            env = _environment(docs, c)
            unknown = {k for k in env if k.startswith("DIAODU_")} - variables(cls)
            assert not unknown, f"{what} {c['name']} sets what it never reads: {unknown}"
            diaodu = {k: v for k, v in env.items() if k.startswith("DIAODU_")}
            settings = settings_from(cls, diaodu, monkeypatch)
            assert settings.env == ("test" if overlay == "dev" else "production")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_tokens_are_verified_against_the_consoles_jwks_with_no_shared_secret(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    text = yaml.safe_dump_all(docs)
    assert not [v for v in NOT_DEPLOYED if v in text], "a manifest sets a retired token setting"
    assert "diaodu-jwt" not in text
    config = named(docs, "ConfigMap", "diaodu-config")
    url = urlsplit(config["data"]["DIAODU_JWT_JWKS_URL"])
    console = named(docs, "Service", "console")
    namespace = console["metadata"]["namespace"]
    assert url.scheme == "http" and url.path == JWKS_PATH
    served = {getattr(route, "path", None) for route in jwks.router.routes}
    assert JWKS_PATH in served, "the console serves its JWKS there"
    assert url.hostname in {"console", f"console.{namespace}.svc", f"console.{namespace}.svc.cluster.local"}
    assert url.port == console["spec"]["ports"][0]["port"] == SERVICES["console"].port
    for what, pod in _pods(docs):
        for c in pod["containers"]:
            sources = [s["configMapRef"]["name"] for s in c.get("envFrom", [])]
            assert config["metadata"]["name"] in sources, f"{what} {c['name']} does not read diaodu-config"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_console_mounts_its_signing_keys_and_it_counts_the_ingress(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    deployment = named(docs, "Deployment", "console")
    pod = deployment["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    env = env_of(c)
    (mount,) = [m for m in c["volumeMounts"] if m["mountPath"] == env["DIAODU_CONSOLE_SIGNING_KEYS_DIR"]]
    assert mount["readOnly"] is True
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert volume["secret"]["secretName"] == "diaodu-console-signing-keys"
    # Readable by the pod's group (fsGroup), never by others, never writable.
    assert volume["secret"]["defaultMode"] & 0o7 == 0 and volume["secret"]["defaultMode"] & 0o222 == 0
    assert volume["secret"]["defaultMode"] & 0o040 and pod["securityContext"]["fsGroup"]
    # Behind one ingress controller: the console takes the client from the last X-Forwarded-For hop.
    assert env["DIAODU_TRUSTED_PROXY_HOPS"] == "1"
    # It consumes nothing: a fixed replica count, no ScaledObject (test_kafka_topics_...).
    assert isinstance(deployment["spec"]["replicas"], int) and deployment["spec"]["replicas"] >= 1
    for other in of_kind(docs, "Deployment") + of_kind(docs, "Job"):
        if other is deployment:
            continue
        volumes = other["spec"]["template"]["spec"].get("volumes", [])
        assert not [v for v in volumes if "secret" in v], f"{other['metadata']['name']} mounts a Secret"
        for oc in other["spec"]["template"]["spec"]["containers"]:
            assert "DIAODU_CONSOLE_SIGNING_KEYS_DIR" not in env_of(oc)


def _secrets_read(docs: list[dict[str, Any]]) -> set[str]:
    """The names of every Secret the rendered manifests read."""
    names: set[str] = set()
    for _, pod in _pods(docs):
        names |= {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
        for c in pod["containers"]:
            refs = [e["valueFrom"] for e in c.get("env", []) if "valueFrom" in e]
            names |= {ref["secretKeyRef"]["name"] for ref in refs if "secretKeyRef" in ref}
    for cluster in of_kind(docs, "Cluster"):
        names |= {r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    return names


STUB_KUBECTL = """#!/bin/sh
# kubectl for the test: logs its arguments, knows no secret unless $KNOWN says so, keeps --from-file files.
printf '%s\\n' "$*" >> "$LOG"
case "$*" in *" get secret "*) [ -n "${KNOWN:-}" ]; exit $? ;; esac
for arg in "$@"; do
  case "$arg" in --from-file=*) cp "${arg#--from-file=}" "$KEEP/" ;; esac
done
"""


def _run_create_secrets(tmp_path: Path, known: bool) -> tuple[list[list[str]], Path]:
    bin_dir, keep = tmp_path / "bin", tmp_path / "keep"
    bin_dir.mkdir(exist_ok=True)
    keep.mkdir(exist_ok=True)
    (bin_dir / "kubectl").write_text(STUB_KUBECTL)
    (bin_dir / "kubectl").chmod(0o755)
    log = tmp_path / "kubectl.log"
    log.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), "KEEP": str(keep)}
    env["KNOWN"] = "1" if known else ""
    subprocess.run(["sh", str(K8S / "create-secrets.sh"), "diaodu"], env=env, check=True, timeout=60)
    return [shlex.split(line) for line in log.read_text().splitlines()], keep


@pytest.mark.skipif(shutil.which("openssl") is None, reason="k8s/create-secrets.sh needs openssl")
def test_create_secrets_makes_every_secret_the_manifests_read(
    rendered: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    calls, keep = _run_create_secrets(tmp_path, known=False)
    created = {c[c.index("generic") + 1] for c in calls if "create" in c and "generic" in c}
    assert created == _secrets_read(rendered["prod"])
    for call in calls:
        assert call[:2] == ["-n", "diaodu"], call
    # The console's key is one it loads: Ed25519, PKCS#8 PEM, named so a later one sorts after it.
    ring = keys_in(keep)
    assert len(ring.published) == 1 and ring.jwks()["keys"][0]["crv"] == "Ed25519"
    (pem,) = keep.glob("*.pem")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.pem", pem.name)
    # Run again with the secrets present: nothing is replaced.
    again, _ = _run_create_secrets(tmp_path, known=True)
    assert not [c for c in again if "create" in c]
