"""Registry commands: each changes state and stages its event in the same transaction (outbox)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from diaodu_platform.auth import Principal, forbid_other_unit
from diaodu_platform.errors import Problem, conflict, not_found
from diaodu_platform.outbox import Outbox
from registry.adapters.tables import Campaign, Leader, LeaderAssignment, Project, StageChange, Target, Unit
from registry.domain.model import IllegalStageTransition, Stage, check_transition
from registry.domain.targets import effective_value
from registry.entrypoints import schemas as s
from registry.events import (
    CampaignCreated,
    LeaderAssigned,
    Procedure,
    ProjectRegistered,
    ProjectSnapshot,
    ProjectStageChanged,
    ProjectUpdated,
    TargetSet,
    UnitRegistered,
    UnitUpdated,
)


def _unprocessable(field: str, message: str, **ext: Any) -> Problem:
    return Problem(
        422,
        "Invalid request",
        message,
        type_="/problems/validation",
        errors=[{"field": field, "message": message, **ext}],
    )


async def _stage(session: AsyncSession, outbox: Outbox, *events: Any) -> None:
    await session.flush()
    await outbox.add(await session.connection(), *events)


async def _require_unit(session: AsyncSession, code: str, field: str = "unit_code") -> Unit:
    unit = await session.get(Unit, code)
    if unit is None:
        raise _unprocessable(field, f"unit {code!r} is not registered; register it first or check the code")
    return unit


def unit_out(unit: Unit) -> s.UnitOut:
    return s.UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent_code=unit.parent_code,
        aliases=list(unit.aliases),
    )


async def register_unit(*, session: AsyncSession, outbox: Outbox, data: s.UnitIn) -> s.UnitOut:
    """Register a 责任单位."""
    if await session.get(Unit, data.code):
        raise conflict(f"unit code {data.code!r} is already registered")
    if (await session.execute(select(Unit.code).where(Unit.name == data.name))).first():
        raise conflict(f"a unit named {data.name!r} is already registered")
    if data.parent_code:
        await _require_unit(session, data.parent_code, "parent_code")
    unit = Unit(
        code=data.code,
        name=data.name,
        kind=data.kind,
        parent_code=data.parent_code,
        aliases=list(data.aliases),
    )
    session.add(unit)
    await _stage(
        session,
        outbox,
        UnitRegistered(
            unit_code=unit.code,
            unit_name=unit.name,
            kind=unit.kind,
            parent_code=unit.parent_code,
            aliases=list(unit.aliases),
        ),
    )
    return unit_out(unit)


async def update_unit(*, session: AsyncSession, outbox: Outbox, code: str, data: s.UnitPatch) -> s.UnitOut:
    unit = await session.get(Unit, code)
    if unit is None:
        raise not_found("unit", code)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("parent_code"):
        if changes["parent_code"] == code:
            raise _unprocessable("parent_code", "a unit cannot be its own parent")
        await _require_unit(session, changes["parent_code"], "parent_code")
    changed = [k for k, v in changes.items() if getattr(unit, k) != v]
    if not changed:
        return unit_out(unit)
    for key in changed:
        setattr(unit, key, changes[key])
    unit.updated_at = datetime.now(UTC)
    await _stage(
        session,
        outbox,
        UnitUpdated(
            unit_code=unit.code,
            unit_name=unit.name,
            kind=unit.kind,
            parent_code=unit.parent_code,
            aliases=list(unit.aliases),
            changed=changed,
        ),
    )
    return unit_out(unit)


async def add_leader(*, session: AsyncSession, data: s.LeaderIn) -> s.LeaderOut:
    if await session.get(Leader, data.id):
        raise conflict(f"leader {data.id!r} already exists")
    leader = Leader(id=data.id, name=data.name, title=data.title)
    session.add(leader)
    await session.flush()
    return s.LeaderOut(id=leader.id, name=leader.name, title=leader.title)


async def assign_leader(
    *, session: AsyncSession, outbox: Outbox, leader_id: str, data: s.AssignmentIn
) -> s.AssignmentOut:
    """Assign a 包联/分管 leader to a unit and/or a project."""
    leader = await session.get(Leader, leader_id)
    if leader is None:
        raise not_found("leader", leader_id)
    if data.unit_code:
        await _require_unit(session, data.unit_code)
    if data.project_id and await session.get(Project, data.project_id) is None:
        raise _unprocessable("project_id", f"project {data.project_id!r} is not registered")
    existing = (
        (
            await session.execute(
                select(LeaderAssignment).where(
                    col(LeaderAssignment.leader_id) == leader_id,
                    col(LeaderAssignment.unit_code) == data.unit_code,
                    col(LeaderAssignment.project_id) == data.project_id,
                    col(LeaderAssignment.role) == data.role,
                )
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        raise conflict("this leader already has this assignment", assignment_id=existing.id)
    assignment = LeaderAssignment(
        leader_id=leader_id, unit_code=data.unit_code, project_id=data.project_id, role=data.role
    )
    session.add(assignment)
    await session.flush()
    assert assignment.id is not None
    await _stage(
        session,
        outbox,
        LeaderAssigned(
            assignment_id=assignment.id,
            leader_id=leader.id,
            leader_name=leader.name,
            leader_title=leader.title,
            unit_code=data.unit_code,
            project_id=data.project_id,
            role=data.role,
        ),
    )
    return s.AssignmentOut(
        id=assignment.id,
        leader_id=leader_id,
        unit_code=data.unit_code,
        project_id=data.project_id,
        role=data.role,
    )


def snapshot(p: Project) -> ProjectSnapshot:
    return ProjectSnapshot(
        project_id=p.id,
        code=p.code,
        name=p.name,
        unit_code=p.unit_code,
        stage=p.stage,
        build_type=p.build_type,
        is_industrial=p.is_industrial,
        is_private=p.is_private,
        key_level=p.key_level,
        category=p.category,
        total_investment=p.total_investment,
        annual_plan_investment=p.annual_plan_investment,
        plan_year=p.plan_year,
        planned_start=p.planned_start,
        planned_completion=p.planned_completion,
        signed_amount=p.signed_amount,
        funds_in_place=p.funds_in_place,
        is_signed_project=p.is_signed_project,
        stats_registered=p.stats_registered,
        stats_registered_on=p.stats_registered_on,
        procedures=[Procedure.model_validate(x) for x in p.procedures],
        campaign_id=p.campaign_id,
        version=p.version,
    )


async def _check_project_refs(
    session: AsyncSession, *, code: str | None, campaign_id: str | None, project_id: str | None = None
) -> None:
    if code:
        other = (await session.execute(select(Project.id).where(Project.code == code))).scalar()
        if other and other != project_id:
            raise conflict(f"project code {code!r} is already used by project {other}")
    if campaign_id and await session.get(Campaign, campaign_id) is None:
        raise _unprocessable("campaign_id", f"campaign {campaign_id!r} does not exist")


async def register_project(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: s.ProjectIn
) -> ProjectSnapshot:
    """Register a project (项目入库) for a unit."""
    forbid_other_unit(principal, data.unit_code)
    await _require_unit(session, data.unit_code)
    await _check_project_refs(session, code=data.code, campaign_id=data.campaign_id)
    fields = data.model_dump(mode="python")
    fields["procedures"] = [p.model_dump(mode="json") for p in data.procedures]
    project = Project(id=str(uuid.uuid4()), **fields)
    session.add(project)
    snap = snapshot(project)
    await _stage(session, outbox, ProjectRegistered(project_id=project.id, project=snap))
    return snap


async def _load_project(session: AsyncSession, project_id: str, principal: Principal) -> Project:
    project = await session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise not_found("project", project_id)
    forbid_other_unit(principal, project.unit_code)
    return project


async def update_project(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, project_id: str, data: s.ProjectPatch
) -> ProjectSnapshot:
    project = await _load_project(session, project_id, principal)
    changes = data.model_dump(exclude_unset=True, mode="python")
    if "procedures" in changes:
        changes["procedures"] = [p.model_dump(mode="json") for p in data.procedures or []]
    await _check_project_refs(
        session, code=changes.get("code"), campaign_id=changes.get("campaign_id"), project_id=project_id
    )
    changed = [k for k, v in changes.items() if getattr(project, k) != v]
    if not changed:
        return snapshot(project)
    for key in changed:
        setattr(project, key, changes[key])
    if project.annual_plan_investment > project.total_investment:
        raise _unprocessable(
            "annual_plan_investment",
            "annual_plan_investment must not exceed total_investment",
            total_investment=float(project.total_investment),
        )
    project.version += 1
    project.updated_at = datetime.now(UTC)
    snap = snapshot(project)
    await _stage(session, outbox, ProjectUpdated(project_id=project.id, project=snap, changed=changed))
    return snap


async def change_stage(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, project_id: str, data: s.StageChangeIn
) -> ProjectSnapshot:
    """Move a project along its lifecycle; 409 with the allowed next stages otherwise."""
    project = await _load_project(session, project_id, principal)
    current = Stage(project.stage)
    try:
        check_transition(current, data.stage)
    except IllegalStageTransition as exc:
        raise conflict(
            str(exc),
            current_stage=str(current),
            requested_stage=str(data.stage),
            allowed_next_stages=[str(x) for x in exc.allowed],
        ) from exc
    now = datetime.now(UTC)
    project.stage = data.stage
    project.version += 1
    project.updated_at = now
    session.add(
        StageChange(
            project_id=project.id,
            from_stage=current,
            to_stage=data.stage,
            reason=data.reason,
            changed_by=principal.sub,
            changed_at=now,
        )
    )
    await _stage(
        session,
        outbox,
        ProjectStageChanged(
            project_id=project.id,
            unit_code=project.unit_code,
            from_stage=current,
            to_stage=data.stage,
            reason=data.reason,
            changed_by=principal.sub,
            changed_at=now,
        ),
    )
    return snapshot(project)


async def create_campaign(*, session: AsyncSession, outbox: Outbox, data: s.CampaignIn) -> s.CampaignOut:
    """Create a 行动 window."""
    if await session.get(Campaign, data.id):
        raise conflict(f"campaign {data.id!r} already exists")
    if (await session.execute(select(Campaign.id).where(Campaign.name == data.name))).first():
        raise conflict(f"a campaign named {data.name!r} already exists")
    session.add(Campaign(**data.model_dump()))
    await _stage(
        session,
        outbox,
        CampaignCreated(
            campaign_id=data.id,
            campaign_name=data.name,
            start_date=data.start_date,
            end_date=data.end_date,
            description=data.description,
        ),
    )
    return s.CampaignOut(**data.model_dump())


def target_out(t: Target) -> s.TargetOut:
    assert t.id is not None
    return s.TargetOut(
        id=t.id,
        metric=t.metric,
        period=t.period,
        scope=t.scope,
        unit_code=t.unit_code,
        campaign_id=t.campaign_id,
        value=t.value,
        baseline=t.baseline,
        growth_pct=t.growth_pct,
        note=t.note,
    )


async def upsert_targets(*, session: AsyncSession, outbox: Outbox, data: s.TargetsIn) -> s.TargetsUpsertOut:
    """Bulk upsert 目标任务 by (metric, period, scope, unit, campaign); one event per real change."""
    units = set((await session.execute(select(Unit.code))).scalars())
    campaigns = set((await session.execute(select(Campaign.id))).scalars())
    errors = []
    seen: set[tuple[Any, ...]] = set()
    for i, t in enumerate(data.targets):
        key = (t.metric, t.period, t.scope, t.unit_code, t.campaign_id)
        if key in seen:
            errors.append(
                {"field": f"targets.{i}", "message": "duplicate of an earlier line in this request"}
            )
        seen.add(key)
        if t.unit_code and t.unit_code not in units:
            errors.append(
                {"field": f"targets.{i}.unit_code", "message": f"unit {t.unit_code!r} is not registered"}
            )
        if t.campaign_id and t.campaign_id not in campaigns:
            errors.append(
                {"field": f"targets.{i}.campaign_id", "message": f"campaign {t.campaign_id!r} does not exist"}
            )
    if errors:
        raise Problem(
            422,
            "Invalid targets",
            f"{len(errors)} target line(s) need correcting; nothing was saved",
            type_="/problems/validation",
            errors=errors,
        )
    existing = {
        (t.metric, t.period, t.scope, t.unit_code, t.campaign_id): t
        for t in (
            await session.execute(
                select(Target).where(
                    col(Target.metric).in_({str(t.metric) for t in data.targets}),
                    col(Target.period).in_({t.period for t in data.targets}),
                )
            )
        ).scalars()
    }
    created = updated = unchanged = 0
    rows: list[Target] = []
    changed_rows: list[Target] = []
    for t in data.targets:
        if t.value is not None:
            value = t.value
        else:
            assert t.baseline is not None and t.growth_pct is not None  # checked by TargetIn
            value = effective_value(t.baseline, t.growth_pct)
        row = existing.get((str(t.metric), t.period, str(t.scope), t.unit_code, t.campaign_id))
        if row is None:
            row = Target(
                metric=t.metric,
                period=t.period,
                scope=t.scope,
                unit_code=t.unit_code,
                campaign_id=t.campaign_id,
                value=value,
                baseline=t.baseline,
                growth_pct=t.growth_pct,
                note=t.note,
            )
            session.add(row)
            created += 1
            changed_rows.append(row)
        elif (row.value, row.baseline, row.growth_pct, row.note) != (value, t.baseline, t.growth_pct, t.note):
            row.value, row.baseline, row.growth_pct, row.note = value, t.baseline, t.growth_pct, t.note
            row.updated_at = datetime.now(UTC)
            updated += 1
            changed_rows.append(row)
        else:
            unchanged += 1
        rows.append(row)
    await session.flush()
    await _stage(
        session,
        outbox,
        *[
            TargetSet(
                target_id=r.id or 0,
                metric=r.metric,
                period=r.period,
                scope=r.scope,
                unit_code=r.unit_code,
                campaign_id=r.campaign_id,
                value=r.value,
                baseline=r.baseline,
                growth_pct=r.growth_pct,
                note=r.note,
            )
            for r in changed_rows
        ],
    )
    return s.TargetsUpsertOut(
        created=created, updated=updated, unchanged=unchanged, targets=[target_out(r) for r in rows]
    )
