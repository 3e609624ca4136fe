"""RFC 9457 problem+json errors with messages a clerk can act on."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from diaodu_platform.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


class Problem(Exception):
    """An error answered as problem+json; extra keyword arguments become extension members."""

    def __init__(self, status: int, title: str, detail: str = "", *, type_: str = "about:blank", **ext: Any):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.ext = ext

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.ext)
        return body


def not_found(what: str, ident: object) -> Problem:
    return Problem(404, "Not found", f"{what} {ident!s} does not exist", type_="/problems/not-found")


def conflict(detail: str, **ext: Any) -> Problem:
    return Problem(409, "Conflict", detail, type_="/problems/conflict", **ext)


def unprocessable(field: str, message: str, **ext: Any) -> Problem:
    """422 naming the one field that is wrong and why (the shape of request validation errors)."""
    return Problem(
        422,
        "Invalid request",
        message,
        type_="/problems/validation",
        errors=[{"field": field, "message": message, **ext}],
    )


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, type_="/problems/forbidden")


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(
        problem.body(str(request.url.path)),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body",)) or "body"


def validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as {field, message, allowed?, input?} a clerk can read."""
    out = []
    for err in errors:
        item: dict[str, Any] = {"field": _field(tuple(err.get("loc", ()))), "message": err.get("msg", "")}
        ctx = err.get("ctx") or {}
        if "expected" in ctx:
            item["allowed"] = ctx["expected"]
        elif ctx:
            item["constraint"] = {k: str(v) for k, v in ctx.items() if k != "error"}
        if "input" in err and not isinstance(err["input"], dict | list):
            item["input"] = err["input"]
        out.append(item)
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(list(exc.errors()))
        fields = ", ".join(sorted({e["field"] for e in errors}))
        problem = Problem(
            422,
            "Invalid request",
            f"Please correct: {fields}",
            type_="/problems/validation",
            errors=errors,
        )
        return problem_response(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(Problem(exc.status_code, str(exc.detail), str(exc.detail)), request)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem_response(
            Problem(500, "Internal error", "The server failed; the request was not applied."), request
        )
