"""When a browser session ends: after `idle` without a request, or `absolute` after it began."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


def expires_at(*, created_at: datetime, last_seen_at: datetime, policy: SessionPolicy) -> datetime:
    """The instant the session ends unless it is used before."""
    return min(last_seen_at + policy.idle, created_at + policy.absolute)


def is_expired(*, created_at: datetime, last_seen_at: datetime, now: datetime, policy: SessionPolicy) -> bool:
    return now >= expires_at(created_at=created_at, last_seen_at=last_seen_at, policy=policy)
