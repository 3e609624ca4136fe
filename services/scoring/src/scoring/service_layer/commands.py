"""The commands the scoring handlers take (plain data, whatever entrypoint they come from)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from scoring.domain.policy import Policy


@dataclass(frozen=True)
class PublishPolicy:
    """Publish `draft` as the next policy version (its own version number is ignored)."""

    draft: Policy


@dataclass(frozen=True)
class RunAssessment:
    """Rank `month` and publish it (R9), under `policy_version` or the version in force for the month."""

    month: str
    policy_version: int | None = None
    trigger: str = "admin"


@dataclass(frozen=True)
class CheckMilestones:
    """Check quarter `period` (YYYYQn) against the milestone shares of the annual targets (R10)."""

    period: str


@dataclass(frozen=True)
class WhatIf:
    """Rank `month` under another policy version, other weights or the data as of another time."""

    month: str
    policy_version: int | None = None
    weights: Mapping[str, Decimal] | None = None
    as_of: datetime | None = None
