"""The console's public signing keys, where every service and outside verifier reads them (SPEC §6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

router = APIRouter(tags=["tokens"])


@router.get("/.well-known/jwks.json")
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    """The JSON Web Key Set of every key whose tokens may still be in use (rotation by `kid`)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    document: dict[str, Any] = request.app.state.keys.jwks()
    return document
