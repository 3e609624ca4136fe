"""The escalation API under /api/v1: one module per resource, each thin (parse, call one handler or
query, map the answer). `routers` keeps the order of the published OpenAPI document."""

from __future__ import annotations

from escalation.entrypoints.api import dispatch, notices, problem_actions, problems

routers = [problems.router, problem_actions.router, notices.router, dispatch.router]
