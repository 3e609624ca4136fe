"""Reading the department systems' client credentials (never their secrets)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from console.adapters.tables import MachineClient
from console.service_layer.read_models import ClientOut, client_out
from diaodu_platform.db import session_on
from diaodu_platform.paging import Page, fetch_page


async def list_clients(
    *, conn: AsyncConnection, unit_code: str | None, page: int, page_size: int
) -> Page[ClientOut]:
    """Clients by id, revoked ones included; filtered by unit."""
    stmt = select(MachineClient).order_by(col(MachineClient.client_id))
    if unit_code:
        stmt = stmt.where(col(MachineClient.unit_code) == unit_code)
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
        items = [client_out(c) for c in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)
