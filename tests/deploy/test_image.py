"""The Dockerfile: one multi-stage image for every service, non-root, health-checked, no migrations."""

from __future__ import annotations

import fnmatch
import re
import tomllib

import pytest
from deploy_support import load_module

from diaodu_platform.topology import REPO_ROOT, SERVICES


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (REPO_ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def test_image_is_built_in_stages_and_runs_as_a_non_root_user() -> None:
    froms = [args for word, args in instructions() if word == "FROM"]
    assert len(froms) >= 2 and "AS build" in froms[0] and "AS runtime" in froms[-1]
    stage = final_stage()
    assert not any("uv" in args.split() for word, args in stage if word == "RUN"), "no uv in the runtime"
    users = [args for word, args in stage if word == "USER"]
    assert users and re.fullmatch(r"[1-9]\d{3,}(:[1-9]\d{3,})?", users[-1]), users
    k8s_user = "runAsUser: 10001"
    for name in SERVICES:
        assert k8s_user in (REPO_ROOT / "k8s" / "base" / f"{name}.yaml").read_text()
    assert users[-1].split(":")[0] == k8s_user.split()[-1]


def test_health_check_and_command_serve_one_service_and_never_migrate() -> None:
    stage = dict(final_stage())
    assert "healthcheck.py" in stage["HEALTHCHECK"]
    assert "/healthz" in (REPO_ROOT / "deploy" / "docker" / "healthcheck.py").read_text()
    assert "serve.py" in stage["CMD"] and "migrate" not in stage["CMD"]
    assert "ENTRYPOINT" not in stage
    serve = load_module(REPO_ROOT / "deploy" / "docker" / "serve.py")
    for name, info in SERVICES.items():
        argv = serve.command(name, {})
        assert argv[:2] == ["uvicorn", info.app]
        assert argv[argv.index("--port") + 1] == str(info.port)
        assert argv[argv.index("--host") + 1] == "0.0.0.0"
        assert "migrate" not in argv


def test_every_workspace_member_is_installed_from_the_lock() -> None:
    copied = {args.split()[0] for word, args in instructions() if word == "COPY" and "--from" not in args}
    members = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]
    for pattern in members:
        for folder in REPO_ROOT.glob(pattern):
            if (folder / "pyproject.toml").exists():
                assert f"{folder.relative_to(REPO_ROOT)}/pyproject.toml" in copied, folder
    sources = {part for word, args in instructions() if word == "COPY" for part in args.split()[:-1]}
    assert {"pyproject.toml", "uv.lock", "libs/", "services/", "deploy/docker/"} <= sources
    syncs = [args for word, args in instructions() if word == "RUN" and "uv sync" in args]
    assert syncs and all("--locked" in s and "--no-dev" in s for s in syncs)
    assert not any("--no-editable" in s for s in syncs), "diaodu migrate finds services/ beside the source"


def dockerignored(path: str) -> bool:
    """Whether Docker leaves `path` out of the build context (last matching pattern wins)."""
    ignored = False
    for pattern in (REPO_ROOT / ".dockerignore").read_text().splitlines():
        pattern = pattern.strip()
        if pattern and not pattern.startswith("#"):
            negated, pattern = pattern.startswith("!"), pattern.lstrip("!")
            if fnmatch.fnmatch(path, pattern):
                ignored = not negated
    return ignored


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("libs", False),
        ("services", False),
        ("deploy/docker", False),
        ("uv.lock", False),
        ("pyproject.toml", False),
        (".venv", True),
        (".git", True),
        ("tests", True),
        ("deploy/docker-compose.yml", True),
    ],
)
def test_dockerignore_keeps_what_the_image_copies_and_nothing_local(path: str, ignored: bool) -> None:
    assert dockerignored(path) == ignored
