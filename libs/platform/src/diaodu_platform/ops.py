"""Operator endpoints shared by every service: the movable clock (non-production) and job runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from diaodu_platform.auth import Admin
from diaodu_platform.errors import Problem

ops_router = APIRouter(prefix="/ops", tags=["ops"])


class ClockOut(BaseModel):
    now: datetime
    offset_seconds: float
    movable: bool


class ClockIn(BaseModel):
    now: datetime | None = Field(
        default=None, description="Set the clock to this instant (Asia/Shanghai if naive)"
    )
    advance_seconds: float | None = Field(default=None, description="Or move it forward by this much")
    reset: bool = False


def _out(request: Request) -> ClockOut:
    clock = request.app.state.clock
    return ClockOut(now=clock.now(), offset_seconds=clock.offset.total_seconds(), movable=clock.movable)


@ops_router.get("/clock", response_model=ClockOut)
async def get_clock(request: Request, _: Admin) -> ClockOut:
    return _out(request)


@ops_router.put("/clock", response_model=ClockOut)
async def move_clock(request: Request, body: ClockIn, _: Admin) -> ClockOut:
    """Move this instance's clock (local and test mode only), then run the scheduled jobs at once."""
    clock = request.app.state.clock
    if not clock.movable:
        raise Problem(
            403, "Forbidden", "The clock cannot be moved in production", type_="/problems/forbidden"
        )
    if body.reset:
        clock.reset()
    elif body.now is not None:
        clock.set(body.now)
    elif body.advance_seconds is not None:
        clock.advance(timedelta(seconds=body.advance_seconds))
    else:
        raise Problem(
            422, "Invalid request", "give now, advance_seconds or reset", type_="/problems/validation"
        )
    request.app.state.scheduler.wake()
    return _out(request)


class JobRunOut(BaseModel):
    job: str
    ran: bool


@ops_router.post("/jobs/{name}/run", response_model=JobRunOut)
async def run_job(name: str, request: Request, _: Admin) -> JobRunOut:
    """Run one scheduled job now (it still takes its lock, so replicas never run it twice at once)."""
    scheduler = request.app.state.scheduler
    if name not in scheduler.jobs:
        raise Problem(
            404,
            "Not found",
            f"no job {name!r}; jobs: {', '.join(scheduler.jobs) or 'none'}",
            type_="/problems/not-found",
        )
    return JobRunOut(job=name, ran=await scheduler.run_now(name))
