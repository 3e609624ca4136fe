"""Read routes on scoring's inputs: is a progress report (revision) in scoring's projection yet?

`GET /api/v1/inputs/reports/{report_id}` answers from the `reports` projection; with `wait_ms` it
holds the request until the wanted revision has been applied (or the wait runs out).
`GET /api/v1/inputs/counts` counts what the projections hold (the benchmark's catch-up check).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from scoring.entrypoints.deps import json_router
from scoring.service_layer.queries import inputs as q
from scoring.service_layer.read_models import InputCountsOut, ReportInputOut
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

router = json_router(prefix="/inputs", tags=["inputs"])


def report_watcher(request: Request) -> q.ReportWatcher:
    """The app's one watcher, reading through atomic-statement units of work (no transaction)."""
    state = request.app.state
    watcher: q.ReportWatcher | None = getattr(state, "inputs_watcher", None)
    if watcher is None:
        watcher = state.inputs_watcher = q.ReportWatcher(
            lambda: ScoringUnitOfWork(state.engine, state.outbox, atomic_statement=True)
        )
    return watcher


Watcher = Annotated[q.ReportWatcher, Depends(report_watcher)]


@router.get("/reports/{report_id}")
async def report_input(
    report_id: str,
    _: CurrentPrincipal,
    watcher: Watcher,
    revision: Annotated[int, Query(ge=1, description="the revision wanted (default: any)")] = 1,
    wait_ms: Annotated[int, Query(ge=0, le=30000, description="wait up to this long for it")] = 0,
) -> ReportInputOut:
    """The newest revision of a report that scoring has applied, with the report event's time and
    the time scoring applied its first revision; 404 if the wanted revision is not there (yet)."""
    return await q.report_input(watcher, report_id=report_id, revision=revision, wait_ms=wait_ms)


@router.get("/counts")
async def input_counts(
    _: CurrentPrincipal,
    conn: Conn,
    unit_prefix: Annotated[str | None, Query(max_length=64, description="unit codes starting so")] = None,
) -> InputCountsOut:
    """How many report revisions, distinct reports, unit returns and problems the projections hold."""
    return await q.input_counts(conn, unit_prefix=unit_prefix)
