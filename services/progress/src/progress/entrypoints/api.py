"""Progress routes under /api/v1: thin, each parses, calls one handler and maps the result."""

from __future__ import annotations

from fastapi import APIRouter

from progress.entrypoints import api_reports, api_views

router = APIRouter()
router.include_router(api_reports.router)
router.include_router(api_views.router)
