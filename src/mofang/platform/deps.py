"""FastAPI dependencies shared by every router: the platform, the session, the principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from mofang.platform.context import Platform
from mofang.platform.errors import Forbidden, Unauthorized
from mofang.platform.governance import service as gov
from mofang.platform.governance.auth import read_token
from mofang.platform.governance.contracts import Principal

bearer = HTTPBearer(auto_error=False)


def get_platform(request: Request) -> Platform:
    """The platform the app was created with."""
    return request.app.state.platform


def get_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    """A metadata session for one request, committed when the handler returns."""
    with platform.metadata.session() as session:
        yield session


def client_ip(request: Request) -> str | None:
    """The caller's address."""
    return request.client.host if request.client else None


def get_principal(
    request: Request,
    platform: Annotated[Platform, Depends(get_platform)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The authenticated user; 401 without a valid bearer token."""
    if creds is None or creds.scheme.lower() != "bearer":
        raise Unauthorized("not authenticated: log in and send 'Authorization: Bearer <token>'", code="auth.missing")
    claims = read_token(key=platform.token_key, token=creds.credentials)
    if claims is None:
        raise Unauthorized("the access token is invalid or expired", code="token_invalid")
    # Checked on every request: logout, a password reset or a role change ends the session at once.
    with platform.metadata.session() as session:
        who = gov.principal(session=session, user_id=claims.user_id, session_id=claims.session_id,
                            ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    if who is None:
        raise Unauthorized("the session has ended or the user is disabled; log in again", code="session_ended")
    return who


def require(permission: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only users holding `permission`."""

    def _check(who: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not who.can(permission):
            raise Forbidden(f"your role lacks the permission '{permission}'", code="auth.permission",
                            params={"permission": permission})
        return who

    return _check


PlatformDep = Annotated[Platform, Depends(get_platform)]
# Committed when the handler returns, before the response is sent: a client that gets 201 can read it back.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
