"""Domain errors and their HTTP mapping: expected problems become clear 4xx answers, never 5xx."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class MofangError(Exception):
    """Base of the errors a user can cause; carries an HTTP status, the field at fault and a stable code."""

    status_code = 400
    # What the console shows when a raise names no code of its own (generic, but in the user's language).
    default_code: str | None = None

    def __init__(
        self, message: str, *, field: str | None = None, code: str | None = None,
        params: dict[str, str | int | float] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # The console translates `code` (its key is `err.<code>`, filled with `params`); `message` is the
        # English fallback for API clients and for codes the console does not know yet.
        self.code = code or self.default_code
        self.params = params or {}


class BadRequest(MofangError):
    """Input that cannot be accepted."""

    status_code = 400


class Unauthorized(MofangError):
    """Missing or invalid credentials."""

    status_code = 401
    default_code = "unauthorized"


class Forbidden(MofangError):
    """Authenticated, but not allowed."""

    status_code = 403
    default_code = "forbidden"


class NotFound(MofangError):
    """No such thing, or not within the user's scope (the two are indistinguishable on purpose)."""

    status_code = 404
    default_code = "not_found"


class Conflict(MofangError):
    """Clashes with something that exists."""

    status_code = 409


class Invalid(MofangError):
    """Well-formed but semantically invalid (unknown role, unknown org, ...)."""

    status_code = 422


class TooManyRequests(MofangError):
    """Rate limited."""

    status_code = 429
    default_code = "too_many"


def install_error_handlers(app: FastAPI) -> None:
    """Render MofangError as JSON {detail, field, code, params}."""

    @app.exception_handler(MofangError)
    async def _handle(_request: Request, exc: MofangError) -> JSONResponse:
        body: dict[str, object] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if exc.code:
            body["code"] = exc.code
            body["params"] = exc.params
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
