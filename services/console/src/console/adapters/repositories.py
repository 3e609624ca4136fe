"""Repositories over the console's tables, used by the handlers through the unit of work.

Each works on the unit of work's ORM session, so a sign-in's failure count, its session row and its
audit line commit (or not) together. The in-memory fakes of the unit tests
(tests/console_testkit/fakes.py) have the same methods.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from console.adapters.tables import Account, AuditEntry, BrowserSession, MachineClient


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, username: str, *, for_update: bool = False) -> Account | None:
        return await self.session.get(Account, username, with_for_update=for_update)

    async def active_admins(self) -> int:
        """How many active admin accounts there are."""
        stmt = select(func.count()).where(col(Account.role) == "admin", col(Account.active).is_(True))
        return int((await self.session.execute(stmt)).scalar_one())

    def add(self, account: Account) -> None:
        self.session.add(account)


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _deleted(self, stmt: Any) -> int:
        result = cast(CursorResult[Any], await self.session.execute(stmt))
        return int(result.rowcount)

    async def get(self, id_hash: str) -> BrowserSession | None:
        return await self.session.get(BrowserSession, id_hash)

    def add(self, row: BrowserSession) -> None:
        self.session.add(row)

    async def remove(self, id_hash: str) -> None:
        await self.session.execute(delete(BrowserSession).where(col(BrowserSession.id_hash) == id_hash))

    async def remove_all_of(self, username: str, *, keep: str | None = None) -> int:
        """End every session of the account (but `keep`); how many were ended."""
        stmt = delete(BrowserSession).where(col(BrowserSession.username) == username)
        if keep is not None:
            stmt = stmt.where(col(BrowserSession.id_hash) != keep)
        return await self._deleted(stmt)

    async def remove_expired(self, *, seen_before: datetime, created_before: datetime) -> int:
        """Forget the sessions idle since `seen_before` or begun by `created_before` (both inclusive)."""
        stmt = delete(BrowserSession).where(
            or_(
                col(BrowserSession.last_seen_at) <= seen_before,
                col(BrowserSession.created_at) <= created_before,
            )
        )
        return await self._deleted(stmt)


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, entry: AuditEntry) -> None:
        self.session.add(entry)


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: str) -> MachineClient | None:
        return await self.session.get(MachineClient, client_id)

    def add(self, client: MachineClient) -> None:
        self.session.add(client)
