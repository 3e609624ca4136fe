"""Route dependencies only progress has: the month parameter, the answers of a creating POST, and its
units of work (typed as ProgressUnitOfWork, with the single-statement one of the report hot path)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from diaodu_platform.errors import Problem
from diaodu_platform.http import new_unit_of_work
from progress.domain.model import Month
from progress.service_layer.unit_of_work import ProgressUnitOfWork

CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created"},
    409: {"description": "Already exists (problem+json)"},
    422: {"description": "Refused: each error names the field, the R4 rule and the numbers"},
}


def month_param(text: str) -> str:
    try:
        return str(Month.parse(text))
    except ValueError as exc:
        raise Problem(
            422,
            "Invalid month",
            str(exc),
            type_="/problems/validation",
            errors=[{"field": "month", "message": str(exc), "input": text}],
        ) from exc


def _single_statement_units_of_work(request: Request) -> Callable[[], ProgressUnitOfWork]:
    """R4's hot path writes everything in one statement: its unit of work sends no BEGIN/COMMIT."""
    state = request.app.state
    return functools.partial(ProgressUnitOfWork, state.engine, state.outbox, atomic_statement=True)


ProgressUow = Annotated[Callable[[], ProgressUnitOfWork], Depends(new_unit_of_work)]
SingleStatementUow = Annotated[Callable[[], ProgressUnitOfWork], Depends(_single_statement_units_of_work)]
