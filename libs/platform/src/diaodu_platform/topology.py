"""The services of diaodu: their ports, ASGI apps and source folders (SPEC §2).

The console (控制台, port 8000) is where people and department systems sign in; the other four own
the campaign's data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    port: int
    app: str

    @property
    def directory(self) -> Path:
        return REPO_ROOT / "services" / self.name

    @property
    def database(self) -> str:
        return f"diaodu_{self.name}"


SERVICES: dict[str, ServiceInfo] = {
    s.name: s
    for s in [
        ServiceInfo("registry", 8001, "registry.entrypoints.main:app"),
        ServiceInfo("progress", 8002, "progress.entrypoints.main:app"),
        ServiceInfo("escalation", 8003, "escalation.entrypoints.main:app"),
        ServiceInfo("scoring", 8004, "scoring.entrypoints.main:app"),
        ServiceInfo("console", 8000, "console.entrypoints.main:app"),
    ]
}
