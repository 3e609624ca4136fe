"""The console's unit of work: accounts, sessions, machine clients and the audit log in one transaction."""

from __future__ import annotations

from console.adapters.repositories import (
    AccountRepository,
    AuditRepository,
    ClientRepository,
    SessionRepository,
)
from diaodu_platform.uow import SqlUnitOfWork


class ConsoleUnitOfWork(SqlUnitOfWork):
    """A sign-in's failure count, its session and its audit line commit together, or not at all."""

    accounts: AccountRepository
    sessions: SessionRepository
    clients: ClientRepository
    audit: AuditRepository

    async def _begin(self) -> None:
        await super()._begin()
        session = self.session
        self.accounts = AccountRepository(session)
        self.sessions = SessionRepository(session)
        self.clients = ClientRepository(session)
        self.audit = AuditRepository(session)
