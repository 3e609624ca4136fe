"""Commands on projects (项目): register one, change its attributes, move it along its lifecycle."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

from diaodu_platform.auth import Principal, forbid_other_unit
from diaodu_platform.errors import conflict, not_found, unprocessable
from registry.adapters.tables import Project, StageChange
from registry.domain.model import IllegalStageTransition, Stage, check_transition
from registry.events import ProjectRegistered, ProjectSnapshot, ProjectStageChanged, ProjectUpdated
from registry.service_layer.commands import ChangeStage, RegisterProject, UpdateProject
from registry.service_layer.read_models import snapshot
from registry.service_layer.unit_of_work import RegistryUnitOfWork
from registry.service_layer.units import require_unit


async def _check_refs(
    uow: RegistryUnitOfWork, *, code: str | None, campaign_id: str | None, project_id: str | None = None
) -> None:
    """A project code is one project's only; a campaign must exist."""
    if code:
        other = await uow.projects.id_with_code(code)
        if other and other != project_id:
            raise conflict(f"project code {code!r} is already used by project {other}")
    if campaign_id and await uow.campaigns.get(campaign_id) is None:
        raise unprocessable("campaign_id", f"campaign {campaign_id!r} does not exist")


async def register_project(
    *, uow: RegistryUnitOfWork, cmd: RegisterProject, now: datetime, principal: Principal
) -> ProjectSnapshot:
    """Register a project (项目入库) for a unit: a reporter only for its own unit (SPEC §6)."""
    forbid_other_unit(principal, cmd.unit_code)
    await require_unit(uow, cmd.unit_code)
    await _check_refs(uow, code=cmd.code, campaign_id=cmd.campaign_id)
    fields = {f.name: getattr(cmd, f.name) for f in dataclasses.fields(cmd)}
    fields["procedures"] = [p.as_json() for p in cmd.procedures]
    project = Project(id=str(uuid.uuid4()), **fields, created_at=now, updated_at=now)
    uow.projects.add(project)
    snap = snapshot(project)
    uow.emit(ProjectRegistered(project_id=project.id, project=snap))
    return snap


async def _load(uow: RegistryUnitOfWork, project_id: str, principal: Principal) -> Project:
    """The project, locked for this change, if the principal may write for its unit."""
    project = await uow.projects.get(project_id, for_update=True)
    if project is None:
        raise not_found("project", project_id)
    forbid_other_unit(principal, project.unit_code)
    return project


async def update_project(
    *, uow: RegistryUnitOfWork, cmd: UpdateProject, now: datetime, principal: Principal
) -> ProjectSnapshot:
    """Change a project's attributes; the event names the fields that really changed."""
    project = await _load(uow, cmd.project_id, principal)
    changes: dict[str, Any] = dict(cmd.changes)
    if "procedures" in changes:
        changes["procedures"] = [p.as_json() for p in changes["procedures"]]
    await _check_refs(
        uow, code=changes.get("code"), campaign_id=changes.get("campaign_id"), project_id=cmd.project_id
    )
    changed = [k for k, v in changes.items() if getattr(project, k) != v]
    if not changed:
        return snapshot(project)
    for key in changed:
        setattr(project, key, changes[key])
    if project.annual_plan_investment > project.total_investment:
        raise unprocessable(
            "annual_plan_investment",
            "annual_plan_investment must not exceed total_investment",
            total_investment=float(project.total_investment),
        )
    project.version += 1
    project.updated_at = now
    snap = snapshot(project)
    uow.emit(ProjectUpdated(project_id=project.id, project=snap, changed=changed))
    return snap


async def change_stage(
    *, uow: RegistryUnitOfWork, cmd: ChangeStage, now: datetime, principal: Principal
) -> ProjectSnapshot:
    """Move a project along its lifecycle; 409 with the allowed next stages otherwise (SPEC §3)."""
    project = await _load(uow, cmd.project_id, principal)
    current = Stage(project.stage)
    try:
        check_transition(current, cmd.stage)
    except IllegalStageTransition as exc:
        raise conflict(
            str(exc),
            current_stage=str(current),
            requested_stage=str(cmd.stage),
            allowed_next_stages=[str(x) for x in exc.allowed],
        ) from exc
    project.stage = cmd.stage
    project.version += 1
    project.updated_at = now
    change = StageChange(
        project_id=project.id,
        from_stage=current,
        to_stage=cmd.stage,
        reason=cmd.reason,
        changed_by=principal.sub,
        changed_at=now,
    )
    uow.projects.add_stage_change(change)
    uow.emit(
        ProjectStageChanged(
            project_id=project.id,
            unit_code=project.unit_code,
            from_stage=current,
            to_stage=cmd.stage,
            reason=cmd.reason,
            changed_by=principal.sub,
            changed_at=now,
        )
    )
    return snapshot(project)
