"""What the escalation routes share: the role sets of the problem loop, the service's dependencies
and the answers documented on several routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from diaodu_platform.auth import Principal, Role, require_roles
from diaodu_platform.http import new_unit_of_work
from diaodu_platform.xlsx import XLSX
from escalation.service_layer.clocks import SlaPolicy
from escalation.service_layer.unit_of_work import EscalationUnitOfWork

# Who may act on a problem (SPEC §6, R8); the libs' Office, Writer and Reader cover the other sets.
Raiser = Annotated[Principal, require_roles(Role.admin, Role.supervisor, Role.reporter)]
Reopener = Raiser  # the 督查室, an admin, or the unit that raised or owns it
Reporter = Annotated[Principal, require_roles(Role.admin, Role.reporter, Role.leader)]
Closer = Annotated[Principal, require_roles(Role.admin, Role.reporter, Role.leader, Role.supervisor)]

# The app's unit-of-work factory (diaodu_platform.http), typed as this service's unit of work.
NewUow = Annotated[Callable[[], EscalationUnitOfWork], Depends(new_unit_of_work)]


def sla_policy(request: Request) -> SlaPolicy:
    """The working-day calendar and 13710 rules the app was built with (R7)."""
    sla: SlaPolicy = request.app.state.sla
    return sla


Sla = Annotated[SlaPolicy, Depends(sla_policy)]

XLSX_FILE: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}, "description": "an .xlsx file"}}
COMMAND: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not allowed for this role, unit or level"},
    409: {"description": "Not allowed in the problem's current status; lists the allowed ones"},
}
