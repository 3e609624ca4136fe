"""SQLModel field helpers the services' tables share: money, timestamps, JSON lists.

Money is `Numeric(16, 2)` in 万元 (SPEC §3); timestamps carry their time zone and are set by the
writer from the service's clock or the event's time (nothing here reads the wall clock).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field


def money_field(nullable: bool = False) -> Any:
    """An amount in 万元: 0 by default, or NULL when `nullable`."""
    return Field(
        default=None if nullable else Decimal(0), sa_column=Column(Numeric(16, 2), nullable=nullable)
    )


def timestamp_field(nullable: bool = False) -> Any:
    """A time-zone-aware timestamp its writer sets."""
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


def json_list_field() -> Any:
    """A JSONB list, empty by default."""
    return Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
