"""What the scoring routes share: their unit of work, query parameters and how a router answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from diaodu_platform.http import new_unit_of_work
from scoring.service_layer.unit_of_work import ScoringUnitOfWork

MonthQ = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
YearQ = Annotated[int, Query(ge=2000, le=2100)]
# The app's unit-of-work factory (diaodu_platform.http), typed as this service's (ServiceSpec.unit_of_work).
NewUow = Annotated[Callable[[], ScoringUnitOfWork], Depends(new_unit_of_work)]


def json_router(**kwargs: Any) -> APIRouter:
    """A router whose answers are rendered by json.dumps from the response models' JSON-mode dump,
    byte for byte as the API wrote them before it declared its response models (pydantic's own JSON
    writer formats some floats differently, e.g. 1e-05)."""
    return APIRouter(default_response_class=JSONResponse, **kwargs)
