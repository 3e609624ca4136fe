"""Reading the audit log: a filtered page, or every matching line for the spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, or_, select

from console.adapters.exports import audit_xlsx, download_headers
from console.adapters.tables import AuditEntry
from console.service_layer.read_models import AuditOut, audit_out
from diaodu_platform.db import session_on
from diaodu_platform.paging import Page, fetch_page

# An export is one spreadsheet: past this many lines the office narrows the dates.
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    """`username` matches who acted or whom it concerned; `since` inclusive, `until` exclusive."""

    username: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, stmt: Any) -> Any:
        if self.username:
            stmt = stmt.where(
                or_(col(AuditEntry.actor) == self.username, col(AuditEntry.target) == self.username)
            )
        if self.action:
            stmt = stmt.where(col(AuditEntry.action) == self.action)
        if self.since is not None:
            stmt = stmt.where(col(AuditEntry.at) >= self.since)
        if self.until is not None:
            stmt = stmt.where(col(AuditEntry.at) < self.until)
        return stmt


def _newest_first(where: AuditFilter) -> Any:
    return where.apply(select(AuditEntry)).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())


async def list_audit(
    *, conn: AsyncConnection, where: AuditFilter, page: int, page_size: int
) -> Page[AuditOut]:
    """The matching lines, newest first."""
    async with session_on(conn) as session:
        rows, total = await fetch_page(
            session, _newest_first(where), page=page, page_size=page_size, scalars=True
        )
        items = [audit_out(e) for e in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class Download:
    content: bytes
    headers: dict[str, str]


async def audit_workbook(*, conn: AsyncConnection, where: AuditFilter) -> Download:
    """The matching lines (newest first, at most EXPORT_LIMIT) as the office's XLSX, with its file name."""
    async with session_on(conn) as session:
        rows = (await session.execute(_newest_first(where).limit(EXPORT_LIMIT))).scalars().all()
        lines = [audit_out(e) for e in rows]
    return Download(audit_xlsx(lines), download_headers("audit-log.xlsx", "审计日志.xlsx"))
