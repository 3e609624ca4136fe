"""In-memory fakes of the console's unit of work and repositories (same methods as the SQL ones)."""

from __future__ import annotations

from datetime import datetime

from console.adapters.tables import Account, AuditEntry, BrowserSession, MachineClient
from diaodu_testkit.fakes import FakeRows, FakeUnitOfWork


class FakeAccounts(FakeRows):
    async def get(self, username: str, *, for_update: bool = False) -> Account | None:
        return self.rows.get(username)

    async def active_admins(self) -> int:
        return sum(1 for a in self.rows.values() if a.role == "admin" and a.active)

    def add(self, account: Account) -> None:
        self.rows[account.username] = account


class FakeSessions(FakeRows):
    async def get(self, id_hash: str) -> BrowserSession | None:
        return self.rows.get(id_hash)

    def add(self, row: BrowserSession) -> None:
        self.rows[row.id_hash] = row

    async def remove(self, id_hash: str) -> None:
        self.rows.pop(id_hash, None)

    async def remove_all_of(self, username: str, *, keep: str | None = None) -> int:
        gone = [k for k, s in self.rows.items() if s.username == username and k != keep]
        for k in gone:
            del self.rows[k]
        return len(gone)

    async def remove_expired(self, *, seen_before: datetime, created_before: datetime) -> int:
        gone = [
            k for k, s in self.rows.items() if s.last_seen_at <= seen_before or s.created_at <= created_before
        ]
        for k in gone:
            del self.rows[k]
        return len(gone)

    def of(self, username: str) -> list[BrowserSession]:
        return [s for s in self.rows.values() if s.username == username]


class FakeClients(FakeRows):
    async def get(self, client_id: str) -> MachineClient | None:
        return self.rows.get(client_id)

    def add(self, client: MachineClient) -> None:
        self.rows[client.client_id] = client


class FakeAudit(FakeRows):
    def add(self, entry: AuditEntry) -> None:
        entry.id = len(self.rows) + 1
        self.rows[entry.id] = entry

    @property
    def lines(self) -> list[AuditEntry]:
        return list(self.rows.values())

    def actions(self) -> list[str]:
        return [e.action for e in self.rows.values()]


class FakeConsoleUnitOfWork(FakeUnitOfWork):
    """The console's unit of work in memory: its state outlives each `async with`, as a database's would."""

    def __init__(self) -> None:
        super().__init__()
        self.accounts = FakeAccounts()
        self.sessions = FakeSessions()
        self.clients = FakeClients()
        self.audit = FakeAudit()
