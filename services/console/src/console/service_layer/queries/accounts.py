"""Reading accounts, and whether a bearer token's subject may still be served."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, or_, select

from console.adapters.tables import Account, MachineClient
from console.service_layer.read_models import AccountOut, account_out
from diaodu_platform.db import session_on
from diaodu_platform.errors import not_found
from diaodu_platform.paging import Page, fetch_page


async def list_accounts(
    *,
    conn: AsyncConnection,
    role: str | None,
    unit_code: str | None,
    active: bool | None,
    q: str | None,
    page: int,
    page_size: int,
) -> Page[AccountOut]:
    """Accounts by username; filtered by role, unit, active flag, and a text in the username or name."""
    stmt = select(Account).order_by(col(Account.username))
    if role:
        stmt = stmt.where(col(Account.role) == role)
    if unit_code:
        stmt = stmt.where(col(Account.unit_code) == unit_code)
    if active is not None:
        stmt = stmt.where(col(Account.active).is_(active))
    if q:
        stmt = stmt.where(or_(col(Account.username).contains(q), col(Account.display_name).contains(q)))
    async with session_on(conn) as session:
        rows, total = await fetch_page(session, stmt, page=page, page_size=page_size, scalars=True)
        items = [account_out(a) for a in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


async def get_account(*, conn: AsyncConnection, username: str) -> AccountOut:
    async with session_on(conn) as session:
        account = await session.get(Account, username)
        if account is None:
            raise not_found("account", username)
        return account_out(account)


@dataclass(frozen=True)
class Standing:
    """What the console knows of a token's subject: refused when its account is deactivated or its
    client revoked (a subject it does not keep, e.g. an external issuer's, is not refused)."""

    refused: bool
    display_name: str | None = None


async def standing(*, conn: AsyncConnection, sub: str) -> Standing:
    account = (
        await conn.execute(
            select(col(Account.active), col(Account.display_name)).where(Account.username == sub)
        )
    ).first()
    if account is not None:
        return Standing(refused=not account.active, display_name=account.display_name)
    client = (
        await conn.execute(
            select(col(MachineClient.revoked_at), col(MachineClient.name)).where(
                MachineClient.client_id == sub
            )
        )
    ).first()
    if client is not None:
        return Standing(refused=client.revoked_at is not None, display_name=client.name)
    return Standing(refused=False)
