"""The README documents the configuration the deployments use and how to operate them."""

from __future__ import annotations

import re

from deploy_support import settings_class, variables

from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def deployment_variables() -> set[str]:
    """Every DIAODU_* variable the Dockerfile, compose file and Kubernetes manifests set."""
    text = "\n".join(
        p.read_text()
        for p in [
            REPO_ROOT / "Dockerfile",
            REPO_ROOT / "deploy" / "docker-compose.yml",
            *(REPO_ROOT / "k8s").rglob("*.yaml"),
        ]
    )
    return set(re.findall(r"\b(DIAODU_[A-Z0-9_]+)\b", text))


def test_readme_documents_every_variable_the_deployments_set() -> None:
    configuration = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    undocumented = {name for name in deployment_variables() if f"`{name}`" not in configuration}
    assert not undocumented, f"add to the README's Configuration table: {sorted(undocumented)}"


def test_readme_documents_the_token_and_console_settings() -> None:
    """Tokens (the console's JWKS, an external OIDC issuer) and the console's own settings, set or not."""
    configuration = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    platform = variables(ServiceSettings)
    wanted = {v for v in platform if v.startswith(("DIAODU_JWT_", "DIAODU_OIDC_"))}
    wanted |= variables(settings_class("console")) - platform
    undocumented = {name for name in wanted if f"`{name}`" not in configuration}
    assert not undocumented, f"add to the README's Configuration table: {sorted(undocumented)}"


def test_readme_has_an_operations_section_for_a_kubernetes_operator() -> None:
    assert "\n## Operations\n" in README, "the README needs an `## Operations` section"
    operations = README.split("\n## Operations\n", 1)[1].split("\n## ", 1)[0]
    for needed in [
        "ops/RUNBOOK.md",
        "k8s/create-secrets.sh",
        "kubectl apply -k k8s/overlays/prod",
        "job/diaodu-migrate",
        "diaodu migrate",
        "deploy/docker-compose.yml",
        "/healthz",
        "/readyz",
        "KEDA",
        "diaodu-console-signing-keys",
        "DIAODU_TRUSTED_PROXY_HOPS",
        "deploy/console",
    ]:
        assert needed in operations, f"the README's Operations section does not mention {needed}"
