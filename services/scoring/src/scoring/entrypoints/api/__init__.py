"""The scoring routes under /api/v1, one module per resource, in the order the OpenAPI lists them."""

from __future__ import annotations

from scoring.entrypoints.api import (
    attainment,
    explanations,
    exports,
    inputs,
    milestones,
    policies,
    problems,
    rankings,
    scorecards,
    whatif,
    yearend,
)

routers = [
    policies.router,
    rankings.router,
    exports.router,
    explanations.router,
    whatif.router,
    scorecards.router,
    milestones.router,
    attainment.router,
    yearend.router,
    problems.router,
    inputs.router,
]
