"""Writing the audit log: one line per sign-in, failure, lock-out, sign-out and account change.

A line says who (with role and unit), what, to whom, when (`now`, the service clock), from where and
with which answer; `detail` says what changed, never a password or a hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.adapters.tables import AuditEntry
from console.domain.audit import Action
from console.service_layer.commands import Actor
from console.service_layer.unit_of_work import ConsoleUnitOfWork


def record(
    uow: ConsoleUnitOfWork,
    *,
    actor: Actor,
    action: Action,
    now: datetime,
    status: int,
    target: str | None = None,
    **detail: Any,
) -> None:
    """Add one line to the audit log, in the unit of work of the change it records."""
    uow.audit.add(
        AuditEntry(
            at=now,
            actor=actor.name,
            actor_role=actor.role,
            actor_unit=actor.unit,
            action=str(action),
            target=target,
            detail=detail,
            client=actor.client,
            status=status,
        )
    )
