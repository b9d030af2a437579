"""Domain errors and their HTTP mapping: expected problems become clear 4xx answers, never 5xx."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class MofangError(Exception):
    """Base of the errors a user can cause; carries an HTTP status and the field at fault."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(MofangError):
    """Input that cannot be accepted."""

    status_code = 400


class Unauthorized(MofangError):
    """Missing or invalid credentials."""

    status_code = 401


class Forbidden(MofangError):
    """Authenticated, but not allowed."""

    status_code = 403


class NotFound(MofangError):
    """No such thing, or not within the user's scope (the two are indistinguishable on purpose)."""

    status_code = 404


class Conflict(MofangError):
    """Clashes with something that exists."""

    status_code = 409


class Invalid(MofangError):
    """Well-formed but semantically invalid (unknown role, unknown org, ...)."""

    status_code = 422


class TooManyRequests(MofangError):
    """Rate limited."""

    status_code = 429


def install_error_handlers(app: FastAPI) -> None:
    """Render MofangError as JSON {detail, field}."""

    @app.exception_handler(MofangError)
    async def _handle(_request: Request, exc: MofangError) -> JSONResponse:
        body: dict[str, str] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
