"""Department systems' client credentials (接入系统): issued, listed and revoked by the admin."""

from __future__ import annotations

from fastapi import APIRouter

from console.entrypoints.deps import AdminCaller, NewUow
from console.entrypoints.schemas import ClientIn
from console.service_layer import clients
from console.service_layer.commands import RevokeClient
from console.service_layer.queries import clients as queries
from console.service_layer.read_models import ClientCreatedOut, ClientOut
from diaodu_platform.db import Conn
from diaodu_platform.http import Now
from diaodu_platform.paging import Page, PageNo, PageSize

router = APIRouter(tags=["clients"])


@router.post("/clients", status_code=201, response_model=ClientCreatedOut)
async def register_client(body: ClientIn, caller: AdminCaller, new_uow: NewUow, now: Now) -> ClientCreatedOut:
    """New client credentials for a unit's system. The secret is in this answer only (no
    Idempotency-Key: a stored answer would keep the secret)."""
    async with new_uow() as uow:
        return await clients.register_client(uow=uow, cmd=body.command(), actor=caller.actor(), now=now)


@router.get("/clients", response_model=Page[ClientOut])
async def list_clients(
    conn: Conn, _: AdminCaller, unit_code: str | None = None, page: PageNo = 1, page_size: PageSize = 50
) -> Page[ClientOut]:
    return await queries.list_clients(conn=conn, unit_code=unit_code, page=page, page_size=page_size)


@router.post("/clients/{client_id}/revoke", response_model=ClientOut)
async def revoke_client(client_id: str, caller: AdminCaller, new_uow: NewUow, now: Now) -> ClientOut:
    """No new tokens for it; the console refuses its tokens at once."""
    async with new_uow() as uow:
        return await clients.revoke_client(
            uow=uow, cmd=RevokeClient(client_id), actor=caller.actor(), now=now
        )
