"""Generate contracts/: per-event JSON Schemas, each service's AsyncAPI and OpenAPI documents."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from diaodu_platform.asyncapi import asyncapi_document, event_schema
from diaodu_platform.settings import ServiceSettings
from diaodu_platform.topology import REPO_ROOT, SERVICES

CONTRACTS = REPO_ROOT / "contracts"


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def generated(only: list[str] | None = None) -> dict[Path, str]:
    """Every contract file the code defines (of the `only` services, if given), by path."""
    files: dict[Path, str] = {}
    settings = ServiceSettings(topic_namespace="")
    for name, info in SERVICES.items():
        if only and name not in only:
            continue
        main = importlib.import_module(info.app.split(":")[0])
        spec = main.SPEC
        for ev in spec.catalog:
            files[CONTRACTS / "events" / f"{ev.ce_type()}.schema.json"] = _dump(event_schema(ev))
        consumes = {s.service: settings.topic(s.service) for s in spec.subscriptions}
        files[CONTRACTS / "asyncapi" / f"{name}.json"] = _dump(
            asyncapi_document(
                spec.catalog,
                topic=settings.topic(name),
                title=f"{spec.title} events",
                version=spec.version,
                description=spec.description,
                consumes=consumes,
            )
        )
        app = main.create_app(ServiceSettings(service=name))
        files[CONTRACTS / "openapi" / f"{name}.json"] = _dump(app.openapi())
    return files


def write_contracts(*, check: bool = False, only: list[str] | None = None) -> list[Path]:
    """Write (or with `check`, only compare) contracts/; returns the files that differed."""
    changed = []
    for path, content in generated(only).items():
        if not path.exists() or path.read_text() != content:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
    return changed
