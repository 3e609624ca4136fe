"""Auditing the writes that pass through the console to the four services (SPEC §6).

One line per POST, PUT, PATCH or DELETE, written once the service's answer (or the console's refusal)
is known: who (role, unit), what (method, service, path), when (`now`), from where, and the status.
"""

from __future__ import annotations

from datetime import datetime

from console.domain.audit import Action
from console.service_layer.audit import record
from console.service_layer.commands import Actor, PassedWrite
from console.service_layer.unit_of_work import ConsoleUnitOfWork


async def audit_write(*, uow: ConsoleUnitOfWork, cmd: PassedWrite, actor: Actor, now: datetime) -> None:
    """Record one passed-through write with the answer's status, a failed one too."""
    path = "/" + cmd.path.lstrip("/")
    record(
        uow,
        actor=actor,
        action=Action.SERVICE_WRITE,
        now=now,
        status=cmd.status,
        target=f"{cmd.service}:{path}"[:200],
        method=cmd.method,
        service=cmd.service,
        path=path,
        query=cmd.query,
    )
