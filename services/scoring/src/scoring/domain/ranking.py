"""A published ranking (排名通报) as it was stored: what it can be explained and recomputed from (R9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoring.domain.policy import Policy
from scoring.domain.scoring import Scorecard, UnitInput


@dataclass
class PublishedRanking:
    """A month's ranking with the policy version and every input it used (R9: "a published ranking
    keeps the policy version and every input it used, so it can be explained line by line and
    recomputed"), and the 约谈 it summoned with the units' leaders."""

    id: int
    month: str
    policy: Policy
    trigger: str
    published_by: str
    published_at: datetime
    data_as_of: datetime | None
    cards: list[Scorecard]
    inputs: dict[str, UnitInput]
    interviews: dict[str, list[dict[str, Any]]]
