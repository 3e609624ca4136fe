"""Every service has the one layout of docs/architecture.md, and keeps each kind of code in its place.

Whoever has read one service can change any other: projections of other services' events live in
`adapters/projections.py`, the map from event types to them in `entrypoints/consumers.py`, the routes
in `entrypoints/api/`, the commands in `service_layer/commands.py`, and nothing sits beside the layers.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (REPO / "services").iterdir() if (p / "src" / p.name).is_dir())

TOP_LEVEL = {"__init__.py", "events.py", "settings.py", "domain", "service_layer", "adapters", "entrypoints"}
REQUIRED = [
    "events.py",
    "domain/__init__.py",
    "service_layer/__init__.py",
    "service_layer/commands.py",
    "service_layer/unit_of_work.py",
    "adapters/__init__.py",
    "adapters/tables.py",
    "adapters/repositories.py",
    "entrypoints/__init__.py",
    "entrypoints/api/__init__.py",
    "entrypoints/consumers.py",
    "entrypoints/main.py",
]
PROJECTIONS = "adapters/projections.py"
CONSUMERS = "entrypoints/consumers.py"


def package(service: str) -> Path:
    return REPO / "services" / service / "src" / service


def modules(service: str) -> Iterator[tuple[str, ast.Module]]:
    root = package(service)
    for path in sorted(root.rglob("*.py")):
        yield path.relative_to(root).as_posix(), ast.parse(path.read_text(), filename=str(path))


def test_there_are_services_to_check() -> None:
    assert {"registry", "progress", "escalation", "scoring"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_service_has_the_common_layout(service: str) -> None:
    root = package(service)
    missing = [rel for rel in REQUIRED if not (root / rel).is_file()]
    assert not missing, f"{service} lacks {missing} (docs/architecture.md)"
    extra = sorted(p.name for p in root.iterdir() if p.name not in TOP_LEVEL and p.name != "__pycache__")
    assert not extra, f"{service} keeps {extra} beside the layers; allowed at the top: {sorted(TOP_LEVEL)}"


def _subscriptions_declared(tree: ast.Module) -> bool:
    """True when consumers.py constructs at least one Subscription."""
    return any(
        isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "Subscription"
        for n in ast.walk(tree)
    )


@pytest.mark.parametrize("service", SERVICES)
def test_projections_and_the_consumer_map_live_in_their_one_place(service: str) -> None:
    trees = dict(modules(service))
    consumes = _subscriptions_declared(trees[CONSUMERS])
    assert (PROJECTIONS in trees) == consumes, (
        f"{service}: {PROJECTIONS} must exist exactly when {CONSUMERS} subscribes to events"
    )
    for rel, tree in trees.items():
        for node in ast.walk(tree):
            if rel != CONSUMERS and isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                assert name != "Subscription", f"{service}/{rel}: subscriptions are declared in {CONSUMERS}"
            if rel != PROJECTIONS and isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                annotations = [ast.unparse(a.annotation) for a in node.args.args if a.annotation is not None]
                assert "Envelope" not in annotations, (
                    f"{service}/{rel}: {node.name} handles another service's event; "
                    f"projections live in {PROJECTIONS}"
                )


@pytest.mark.parametrize("service", SERVICES)
def test_event_type_strings_are_never_spelled_by_hand(service: str) -> None:
    for rel, tree in modules(service):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                assert not EVENT_TYPE.match(text) or ".dlq." in text, (
                    f"{service}/{rel}: {text!r}: use Event.ce_type() or diaodu_platform.event_types"
                )


EVENT_TYPE = re.compile(r"^diaodu\.[a-z]+\.[a-z_]+\.v\d+$")
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


@pytest.mark.parametrize("service", SERVICES)
def test_domain_imports_only_the_standard_library_vocabulary_and_itself(service: str) -> None:
    allowed_first_party = {f"{service}.domain", "diaodu_platform.vocabulary"}
    for rel, tree in modules(service):
        if not rel.startswith("domain/"):
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                ok = name.split(".")[0] in STDLIB or any(
                    name == a or name.startswith(a + ".") for a in allowed_first_party
                )
                assert ok, f"{service}/{rel} imports {name}: domain/ is pure (docs/architecture.md)"


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_has_one_test_kit_and_thin_fixtures(service: str) -> None:
    tests = REPO / "services" / service / "tests"
    assert (tests / f"{service}_testkit" / "__init__.py").is_file(), f"{service}: tests/{service}_testkit/"
    assert (tests / "unit").is_dir() and (tests / "integration").is_dir()
    for path in tests.rglob("*.py"):
        text = path.read_text()
        assert "sys.path" not in text, f"{path.relative_to(REPO)}: the test kit is imported by name"


def test_the_architecture_page_names_files_that_exist() -> None:
    """docs/architecture.md sends a newcomer to a file for each rule R1–R11: those files must exist."""
    page = (REPO / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`((?:registry|progress|escalation|scoring)/[a-z_/]+\.py)(?:::\w+)?`", page))
    assert len(named) > 20
    missing = sorted(p for p in named if not (REPO / "services" / p.split("/")[0] / "src" / p).is_file())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"
    for rule in range(1, 12):
        assert f"| R{rule} " in page, f"docs/architecture.md has no row for R{rule}"
