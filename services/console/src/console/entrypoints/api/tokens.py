"""Bearer tokens for programs: a person's (password grant) or a department system's (client credentials)."""

from __future__ import annotations

from fastapi import APIRouter

from console.entrypoints.deps import ClientAddress, NewUow, Settings, Signer, TokenRequest, sign_in_refused
from console.entrypoints.schemas import TokenRequestIn
from console.service_layer import clients, signin
from console.service_layer.read_models import TokenOut
from diaodu_platform.http import Now

router = APIRouter(tags=["tokens"])

# The body is read by deps.token_request (form or JSON); documented here for both encodings.
_SCHEMA = TokenRequestIn.model_json_schema()
TOKEN_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": _SCHEMA},
            "application/json": {"schema": _SCHEMA},
        },
    }
}


@router.post(
    "/token",
    response_model=TokenOut,
    openapi_extra=TOKEN_REQUEST_BODY,
    responses={401: {"description": "wrong credentials (problem+json, `error: invalid_grant`)"}},
)
async def token(
    body: TokenRequest, new_uow: NewUow, now: Now, settings: Settings, signer: Signer, client: ClientAddress
) -> TokenOut:
    """A short-lived token (SPEC §6) signed by the console: the four services verify it with its JWKS."""
    async with new_uow() as uow:
        if body.grant_type == "client_credentials":
            outcome = await clients.issue_client_token(
                uow=uow, cmd=body.credentials(client), now=now, signer=signer
            )
        else:
            outcome = await signin.issue_access_token(
                uow=uow, cmd=body.sign_in(client), now=now, lockout=settings.lockout_policy(), signer=signer
            )
    if isinstance(outcome, signin.Refused):
        raise sign_in_refused(outcome, error="invalid_grant")
    return outcome
