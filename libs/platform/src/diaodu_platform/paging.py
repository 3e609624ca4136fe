"""Paged lists: the `page`/`page_size` query parameters, the `Page` answer and the paged query."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

T = TypeVar("T")

PageNo = Annotated[int, Query(ge=1, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


async def fetch_page(
    executor: AsyncConnection | AsyncSession, stmt: Any, *, page: int, page_size: int, scalars: bool = False
) -> tuple[list[Any], int]:
    """One page of `stmt`'s rows (ORM entities when `scalars`) and the total count."""
    total = (await executor.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    result = await executor.execute(stmt.offset((page - 1) * page_size).limit(page_size))
    rows = result.scalars().all() if scalars else result.all()
    return list(rows), int(total)
