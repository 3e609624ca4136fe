"""Commands on leaders (包联领导): add one, assign it to a unit and/or a project."""

from __future__ import annotations

from datetime import datetime

from diaodu_platform.errors import conflict, not_found, unprocessable
from registry.adapters.tables import Leader, LeaderAssignment
from registry.events import LeaderAssigned
from registry.service_layer.commands import AddLeader, AssignLeader
from registry.service_layer.read_models import AssignmentOut, LeaderOut, assignment_out
from registry.service_layer.unit_of_work import RegistryUnitOfWork
from registry.service_layer.units import require_unit


async def add_leader(*, uow: RegistryUnitOfWork, cmd: AddLeader, now: datetime) -> LeaderOut:
    """Add a 包联领导 (no event: a leader matters to others once assigned)."""
    if await uow.leaders.get(cmd.id):
        raise conflict(f"leader {cmd.id!r} already exists")
    leader = Leader(id=cmd.id, name=cmd.name, title=cmd.title, created_at=now)
    uow.leaders.add(leader)
    return LeaderOut(id=leader.id, name=leader.name, title=leader.title)


async def assign_leader(*, uow: RegistryUnitOfWork, cmd: AssignLeader, now: datetime) -> AssignmentOut:
    """Assign a 包联/分管 leader to a unit and/or a project; an assignment exists once."""
    leader = await uow.leaders.get(cmd.leader_id)
    if leader is None:
        raise not_found("leader", cmd.leader_id)
    if cmd.unit_code:
        await require_unit(uow, cmd.unit_code)
    if cmd.project_id and await uow.projects.get(cmd.project_id) is None:
        raise unprocessable("project_id", f"project {cmd.project_id!r} is not registered")
    existing = await uow.assignments.find(
        leader_id=cmd.leader_id, unit_code=cmd.unit_code, project_id=cmd.project_id, role=cmd.role
    )
    if existing is not None:
        raise conflict("this leader already has this assignment", assignment_id=existing.id)
    assignment = LeaderAssignment(
        leader_id=cmd.leader_id,
        unit_code=cmd.unit_code,
        project_id=cmd.project_id,
        role=cmd.role,
        created_at=now,
    )
    await uow.assignments.add(assignment)
    assert assignment.id is not None
    uow.emit(
        LeaderAssigned(
            assignment_id=assignment.id,
            leader_id=leader.id,
            leader_name=leader.name,
            leader_title=leader.title,
            unit_code=cmd.unit_code,
            project_id=cmd.project_id,
            role=cmd.role,
        )
    )
    return assignment_out(assignment)
