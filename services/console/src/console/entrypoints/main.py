"""Wiring of the console: `uvicorn console.entrypoints.main:app` (port 8000)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from console.adapters.services import ServiceGateway
from console.adapters.signing import TokenSigner, console_verifier, load_key_ring
from console.adapters.tables import metadata, platform
from console.entrypoints.api import jwks, routers
from console.entrypoints.consumers import SUBSCRIPTIONS
from console.events import CATALOG
from console.service_layer.jobs import run_session_purge
from console.service_layer.unit_of_work import ConsoleUnitOfWork
from console.settings import console_settings
from diaodu_platform.app import ServiceSpec, create_service_app
from diaodu_platform.scheduler import Job
from diaodu_platform.settings import ServiceSettings


async def close_service_gateway(app: FastAPI) -> None:
    """Holds the pass-through's HTTP client for the app's life and closes it when the app stops."""
    try:
        await asyncio.Event().wait()
    finally:
        await app.state.services.close()


SPEC = ServiceSpec(
    name="console",
    title="diaodu console (控制台)",
    description="Accounts (账户), sign-in with browser sessions and bearer tokens, the console's signing "
    "keys (JWKS), department systems' client credentials and the audit log (审计日志) — the edge where "
    "people and outside systems enter (SPEC §2, §6).",
    version="1.0.0",
    catalog=CATALOG,
    metadata=metadata,
    tables=platform,
    routers=routers,
    subscriptions=SUBSCRIPTIONS,
    unit_of_work=ConsoleUnitOfWork,
    jobs=[Job("sessions", 300.0, run_session_purge)],
    background=[close_service_gateway],
)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    cfg = console_settings(settings)
    app = create_service_app(SPEC, cfg)
    ring = load_key_ring(cfg)  # production without a signing key stops here
    app.state.keys = ring
    app.state.signer = TokenSigner.of(cfg, ring)
    app.state.verifier = console_verifier(cfg, ring)
    app.state.services = ServiceGateway(cfg)
    app.include_router(jwks.router)
    return app


app = create_app()
