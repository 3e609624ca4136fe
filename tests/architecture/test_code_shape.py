"""The code stays readable: short functions, one clock, no helper copied from service to service.

- No function in `services/*/src` or `libs/*/src` is longer than 60 lines (def to last line).
- Nothing but diaodu_platform.clock reads the wall clock: handlers take `now` from the service's
  movable clock, so tests and demos can let deadlines run out (SPEC R5, R7, R9); what must follow
  real time (token lifetimes, envelope and metric times) calls `system_now()`.
- No helper is defined in two services: a function with the same body in two services belongs in
  libs (STYLE.md: shared concerns are written once). Frozen Alembic revisions are not checked.
"""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 60
# Helpers smaller than this many syntax nodes (e.g. `return self.x`) are not worth sharing.
MIN_NODES = 15


def sources(*roots: str) -> Iterator[tuple[Path, ast.Module]]:
    for root in roots:
        for path in sorted((REPO / root).glob("*/src/**/*.py")):
            yield path, ast.parse(path.read_text(), filename=str(path))


def functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_function_is_longer_than_sixty_lines() -> None:
    long = [
        f"{path.relative_to(REPO)}:{fn.lineno} {fn.name} ({fn.end_lineno - fn.lineno + 1} lines)"
        for path, tree in sources("services", "libs")
        for fn in functions(tree)
        if fn.end_lineno is not None and fn.end_lineno - fn.lineno + 1 > MAX_LINES
    ]
    assert not long, "split these functions (at most 60 lines each):\n" + "\n".join(long)


WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}


def test_nothing_but_the_clock_reads_the_wall_clock() -> None:
    reads = []
    for path, tree in sources("services", "libs"):
        if path.name == "clock.py" and "diaodu_platform" in path.parts:
            continue  # diaodu_platform.clock.system_now: the one read
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                if (name, node.func.attr) in WALL_CLOCK:
                    reads.append(f"{path.relative_to(REPO)}:{node.lineno} {ast.unparse(node)}")
    assert not reads, "take `now` from the service's clock instead:\n" + "\n".join(reads)


def _fingerprint(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The function's body without its docstring, or None when it is too small to be a helper."""
    body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
    if sum(1 for _ in ast.walk(ast.Module(body=body, type_ignores=[]))) < MIN_NODES:
        return None
    dumped = ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)
    return hashlib.sha256((ast.dump(fn.args) + dumped).encode()).hexdigest()


def test_no_helper_is_copied_from_one_service_to_another() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    where: dict[str, list[str]] = defaultdict(list)
    for path, tree in sources("services"):
        service = path.relative_to(REPO / "services").parts[0]
        for fn in functions(tree):
            key = _fingerprint(fn)
            if key is not None:
                seen[key].add(service)
                where[key].append(f"{path.relative_to(REPO)}:{fn.lineno} {fn.name}")
    copied = [", ".join(where[k]) for k, services in seen.items() if len(services) > 1]
    assert not copied, "the same helper in several services (move it to libs):\n" + "\n".join(copied)


def test_every_diaodu_metric_is_documented_for_operators() -> None:
    metrics = (REPO / "libs/platform/src/diaodu_platform/metrics.py").read_text()
    documented = (REPO / "docs/operations.md").read_text()
    names = {
        node.args[0].value
        for node in ast.walk(ast.parse(metrics))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in {"Gauge", "Counter", "Histogram"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert names, "no metrics found in diaodu_platform.metrics"
    # prometheus_client appends _total to a counter's name when it is exposed.
    missing = sorted(n for n in names if n not in documented)
    assert not missing, f"document these metrics in docs/operations.md#metrics: {missing}"


def test_docstrings_cite_the_spec_not_issue_numbers() -> None:
    cites = []
    for path, tree in sources("services", "libs"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node) or ""
                if "issue " in doc.lower() and any(
                    ch.isdigit() for ch in doc.lower().split("issue ", 1)[1][:3]
                ):
                    cites.append(f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 1)}")
    assert not cites, "cite SPEC rules (R1–R11, §n) instead of issue numbers:\n" + "\n".join(cites)
