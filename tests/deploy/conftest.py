"""Fixtures of the deploy tests (tests/deploy): kubectl, the rendered overlays, the validator."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
# deploy_support.py beside this file, and the generators in ops/ (`python -m ops.dashboards.generate`).
for folder in (HERE, REPO_ROOT):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from deploy_support import K8S, OVERLAYS, Validator, find_kubectl, kustomize, make_validator  # noqa: E402


@pytest.fixture(scope="session")
def kubectl() -> str:
    return find_kubectl()


@pytest.fixture(scope="session")
def rendered(kubectl: str) -> dict[str, list[dict[str, Any]]]:
    """Overlay name → its rendered resources."""
    return {name: kustomize(kubectl, K8S / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(scope="session")
def validate() -> Validator:
    return make_validator()
