"""Department systems' client credentials (SPEC §6): issued by the admin, the secret shown once and
kept as a hash; a token for one is a reporter's, limited to the client's unit and scopes; revocable."""

from __future__ import annotations

import secrets
from datetime import datetime

from console.adapters.passwords import hash_secret, verify_secret
from console.adapters.signing import TokenSigner
from console.adapters.tables import MachineClient
from console.domain.audit import Action
from console.service_layer.audit import record
from console.service_layer.commands import Actor, ClientCredentials, RegisterClient, RevokeClient
from console.service_layer.read_models import ClientCreatedOut, ClientOut, TokenOut, client_out
from console.service_layer.signin import Refused
from console.service_layer.unit_of_work import ConsoleUnitOfWork
from diaodu_platform.errors import not_found

REPORTER = "reporter"


async def register_client(
    *, uow: ConsoleUnitOfWork, cmd: RegisterClient, actor: Actor, now: datetime
) -> ClientCreatedOut:
    """New client credentials; the answer is the only place the secret ever appears."""
    client_id, secret = f"client-{secrets.token_hex(8)}", secrets.token_urlsafe(32)
    client = MachineClient(
        client_id=client_id,
        name=cmd.name,
        unit_code=cmd.unit_code,
        scopes=list(cmd.scopes),
        secret_hash=await hash_secret(secret),
        created_by=actor.name,
        created_at=now,
    )
    uow.clients.add(client)
    record(
        uow,
        actor=actor,
        action=Action.CLIENT_REGISTERED,
        now=now,
        status=201,
        target=client_id,
        name=cmd.name,
        unit_code=cmd.unit_code,
        scopes=list(cmd.scopes),
    )
    return ClientCreatedOut(**client_out(client).model_dump(), client_secret=secret)


async def revoke_client(
    *, uow: ConsoleUnitOfWork, cmd: RevokeClient, actor: Actor, now: datetime
) -> ClientOut:
    """The client gets no new token; the console refuses its tokens at once, the services when they expire."""
    client = await uow.clients.get(cmd.client_id)
    if client is None:
        raise not_found("client", cmd.client_id)
    if client.revoked_at is None:
        client.revoked_at = now
        record(uow, actor=actor, action=Action.CLIENT_REVOKED, now=now, status=200, target=cmd.client_id)
    return client_out(client)


async def issue_client_token(
    *, uow: ConsoleUnitOfWork, cmd: ClientCredentials, now: datetime, signer: TokenSigner
) -> TokenOut | Refused:
    """A reporter token for the client's unit with its scopes (OAuth 2 client_credentials grant)."""
    client = await uow.clients.get(cmd.client_id)
    usable = client is not None and client.revoked_at is None
    matches, _ = await verify_secret(cmd.client_secret, client.secret_hash if client else None)
    if client is None or not usable or not matches:
        tried = Actor(cmd.client_id, client=cmd.client)
        reason = "unknown_client" if client is None else ("revoked" if not usable else "wrong_secret")
        record(
            uow, actor=tried, action=Action.SIGN_IN_FAILED, now=now, status=401, reason=reason, via="client"
        )
        return Refused()
    token = signer.sign(
        sub=client.client_id, role=REPORTER, unit=client.unit_code, scopes=tuple(client.scopes)
    )
    actor = Actor(client.client_id, REPORTER, client.unit_code, cmd.client)
    record(uow, actor=actor, action=Action.TOKEN_ISSUED, now=now, status=200, target=client.client_id)
    return TokenOut(access_token=token, expires_in=int(signer.ttl.total_seconds()))
