"""Rankings as the office's spreadsheets (R9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response

from diaodu_platform.auth import CurrentPrincipal
from diaodu_platform.db import Conn
from diaodu_platform.xlsx import XLSX
from scoring.entrypoints.deps import json_router
from scoring.service_layer.queries.exports import ranking_workbook

router = json_router()


@router.get(
    "/rankings/{ranking}/export.xlsx",
    response_class=Response,
    tags=["rankings"],
    responses={200: {"content": {XLSX: {}}, "description": "an .xlsx file"}},
)
async def export_ranking(
    ranking: Annotated[str, Path(description="a ranking id (GET /rankings) or a month YYYY-MM")],
    _: CurrentPrincipal,
    conn: Conn,
    policy_version: Annotated[
        int | None, Query(description="with a month: the ranking under this version")
    ] = None,
) -> Response:
    """A published ranking as XLSX: every unit's rank, total and indicators (actual, target, rate,
    score), and the policy version; a month gives its latest ranking, as GET /rankings/{month}."""
    download = await ranking_workbook(conn, ranking, policy_version)
    return Response(download.content, media_type=XLSX, headers=download.headers)
