"""The event-type registry: every event type each service publishes, by name (SPEC §5).

It is the one place where a consumer learns the names of another service's events without importing
that service. Each producer's `EventCatalog` must match its entry here (checked when the catalogue is
built), and each consumer declares a `Subscription` that either handles or explicitly ignores every
type of the producer, so a new event type cannot be dropped silently by a consumer that never heard
of it: adding it here makes every subscription to that producer fail until it decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

if TYPE_CHECKING:  # events.py checks every catalogue against this registry
    from diaodu_platform.events import Envelope

# Name → version of every event type, per producing service.
PUBLISHED: dict[str, Mapping[str, int]] = {
    "registry": {
        "unit_registered": 1,
        "unit_updated": 1,
        "leader_assigned": 1,
        "project_registered": 1,
        "project_updated": 1,
        "project_stage_changed": 1,
        "campaign_created": 1,
        "target_set": 1,
    },
    "progress": {
        "report_submitted": 1,
        "report_revised": 1,
        "unit_return_submitted": 1,
        "report_reminder_due": 1,
        "report_overdue": 1,
        "light_changed": 1,
        "anomaly_flagged": 1,
        "anomaly_reviewed": 1,
    },
    "escalation": {
        "problem_raised": 1,
        "problem_assigned": 1,
        "problem_acknowledged": 1,
        "problem_progressed": 1,
        "problem_plan_filed": 1,
        "sla_reminder": 1,
        "sla_breached": 1,
        "problem_escalated": 1,
        "notice_issued": 1,
        "meeting_item_added": 1,
        "problem_resolved": 1,
        "problem_reopened": 1,
    },
    "scoring": {
        "policy_published": 1,
        "scorecard_computed": 1,
        "ranking_published": 1,
        "interview_required": 1,
        "milestone_missed": 1,
    },
    # The console keeps accounts and the audit log to itself: it publishes nothing (yet).
    "console": {},
}
SERVICES = frozenset(PUBLISHED)

Handler = Callable[[AsyncConnection, "Envelope"], Awaitable[None]]


class UnknownEventType(ValueError):
    """A name that the producing service does not publish, or a producer that does not exist."""


def ce_type(service: str, name: str) -> str:
    """The CloudEvents `type` of a published event: diaodu.<service>.<name>.v<version>."""
    try:
        version = PUBLISHED[service][name]
    except KeyError:
        raise UnknownEventType(
            f"{service}.{name} is not a published event type; known: {', '.join(names(service))}"
        ) from None
    return f"diaodu.{service}.{name}.v{version}"


def names(service: str) -> list[str]:
    """The event names a service publishes."""
    if service not in PUBLISHED:
        raise UnknownEventType(f"no service {service!r} publishes events; known: {', '.join(PUBLISHED)}")
    return list(PUBLISHED[service])


def check_catalog(service: str, published: Collection[tuple[str, int]]) -> None:
    """A diaodu service's catalogue (name, version) pairs must equal its registry entry.

    A producer outside diaodu's services (a test double) is entered into the registry instead."""
    actual = set(published)
    if service not in SERVICES:
        PUBLISHED[service] = MappingProxyType(dict(actual))
        return
    expected = set(PUBLISHED[service].items())
    if expected != actual:
        raise UnknownEventType(
            f"the {service} catalogue and diaodu_platform.event_types disagree: only in the catalogue "
            f"{sorted(actual - expected)}, only in the registry {sorted(expected - actual)}"
        )


@dataclass(frozen=True)
class Subscription:
    """The events of one producer that a service applies to its projections, by event name.

    Every name the producer publishes must be either handled or listed in `ignored`."""

    service: str
    handlers: Mapping[str, Handler]
    ignored: Collection[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        published = set(names(self.service))
        declared = set(self.handlers) | set(self.ignored)
        unknown = declared - published
        if unknown:
            raise UnknownEventType(f"{self.service} does not publish {sorted(unknown)}")
        both = set(self.handlers) & set(self.ignored)
        if both:
            raise UnknownEventType(f"{sorted(both)} of {self.service} are both handled and ignored")
        undecided = published - declared
        if undecided:
            raise UnknownEventType(
                f"{self.service} publishes {sorted(undecided)}: handle them or list them in `ignored`"
            )

    def by_ce_type(self) -> dict[str, Handler]:
        """The handlers keyed by CloudEvents type, as the consumer dispatches them."""
        return {ce_type(self.service, name): handler for name, handler in self.handlers.items()}
