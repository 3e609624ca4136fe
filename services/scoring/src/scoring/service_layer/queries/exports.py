"""A published ranking as the office's spreadsheet (R9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from scoring.adapters.exports import attachment, ranking_xlsx
from scoring.service_layer.queries.rankings import ranking_by_key


@dataclass(frozen=True)
class Download:
    content: bytes
    headers: dict[str, Any]


async def ranking_workbook(conn: AsyncConnection, key: str, policy_version: int | None) -> Download:
    """The ranking (by id, or the latest of a month) as XLSX, with its Content-Disposition."""
    r = await ranking_by_key(conn, key, policy_version)
    return Download(ranking_xlsx(r), attachment(r))
