"""The console's routes under /api/v1, one module per resource; `routers` in the order they are served.

The JWKS (`/.well-known/jwks.json`, jwks.py) is served at the root, outside /api/v1 (main.py)."""

from fastapi import APIRouter

from console.entrypoints.api import accounts, audit, clients, services, session, tokens

routers: list[APIRouter] = [
    session.router,
    tokens.router,
    accounts.router,
    audit.router,
    clients.router,
    services.router,
]
