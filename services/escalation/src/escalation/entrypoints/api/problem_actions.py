"""The steps of a problem's loop under /api/v1/problems/{id}/ (R7, R8): 交办, 部署, 办理, plan, 销号,
reopen."""

from __future__ import annotations

from fastapi import APIRouter

from diaodu_platform.auth import Office, Writer
from diaodu_platform.http import Now
from escalation.entrypoints import schemas as s
from escalation.entrypoints.deps import COMMAND, Closer, NewUow, Reopener, Reporter, Sla
from escalation.service_layer import closing, handling, problems

router = APIRouter()


@router.post(
    "/problems/{problem_id}/assign", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def assign(
    problem_id: str, body: s.AssignIn, principal: Office, new_uow: NewUow, now: Now, sla: Sla
) -> s.ProblemOut:
    """交办: start the 13710 clocks."""
    async with new_uow() as uow:
        return await problems.assign(
            uow=uow, cmd=body.command(problem_id), principal=principal, now=now, sla=sla
        )


@router.post(
    "/problems/{problem_id}/acknowledge", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def acknowledge(
    problem_id: str, body: s.AcknowledgeIn, principal: Writer, new_uow: NewUow, now: Now
) -> s.ProblemOut:
    async with new_uow() as uow:
        return await handling.acknowledge(uow=uow, cmd=body.command(problem_id), principal=principal, now=now)


@router.post(
    "/problems/{problem_id}/progress", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def progress(
    problem_id: str, body: s.NoteIn, principal: Reporter, new_uow: NewUow, now: Now
) -> s.ProblemOut:
    async with new_uow() as uow:
        return await handling.progress(uow=uow, cmd=body.command(problem_id), principal=principal, now=now)


@router.post("/problems/{problem_id}/plan", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND)
async def file_plan(
    problem_id: str, body: s.PlanIn, principal: Writer, new_uow: NewUow, now: Now, sla: Sla
) -> s.ProblemOut:
    """A major problem's timeline and plan; its resolve deadline becomes the plan's date."""
    async with new_uow() as uow:
        return await handling.file_plan(
            uow=uow, cmd=body.command(problem_id), principal=principal, now=now, sla=sla
        )


@router.post(
    "/problems/{problem_id}/resolve", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def resolve(
    problem_id: str, body: s.ResolveIn, principal: Closer, new_uow: NewUow, now: Now
) -> s.ProblemOut:
    """销号 with a resolution note, by whoever holds the problem's level."""
    async with new_uow() as uow:
        return await closing.resolve(uow=uow, cmd=body.command(problem_id), principal=principal, now=now)


@router.post(
    "/problems/{problem_id}/reopen", response_model=s.ProblemOut, tags=["problems"], responses=COMMAND
)
async def reopen(
    problem_id: str, body: s.ReopenIn, principal: Reopener, new_uow: NewUow, now: Now, sla: Sla
) -> s.ProblemOut:
    async with new_uow() as uow:
        return await closing.reopen(
            uow=uow, cmd=body.command(problem_id), principal=principal, now=now, sla=sla
        )
