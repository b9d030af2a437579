"""HTTP routes of governance: login, me, orgs, and the admin pages (users, roles, keys, audit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from mofang.platform.context import Platform
from mofang.platform.deps import PlatformDep, PrincipalDep, SessionDep, bearer, client_ip, require
from mofang.platform.errors import Invalid, Unauthorized
from mofang.platform.governance import allow_list
from mofang.platform.governance import service as gov
from mofang.platform.governance.auth import LoginLimiter, issue_token, read_token
from mofang.platform.governance.contracts import (
    AuditRead,
    KeyCreate,
    KeyCreated,
    KeyRead,
    LoginRequest,
    MeRead,
    OrgRead,
    OutboundHostCreate,
    OutboundHostRead,
    Page,
    PasswordChange,
    Principal,
    RoleRead,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from mofang.platform.governance.logic import P_ADMIN_KEYS, P_ADMIN_USERS, P_AUDIT_READ, ROLES

router = APIRouter(prefix="/api", tags=["governance"])


REFRESH_COOKIE = "mofang_refresh"
REFRESH_PATH = "/api/auth"  # the refresh token is sent to the auth routes only, never with data requests


@router.post("/auth/login", response_model=TokenResponse)
def login(
    body: LoginRequest, request: Request, response: Response, platform: PlatformDep
) -> TokenResponse | JSONResponse:
    """Exchange username and password for a short-lived bearer token and a refresh cookie.

    Repeated failures of one username from one address back off exponentially (429 with Retry-After).
    """
    limiter: LoginLimiter = platform.extras["login_limiter"]
    ip = client_ip(request) or "?"
    agent = request.headers.get("user-agent")
    wait = limiter.retry_after(body.username, ip)
    # Each outcome is audited in its own committed transaction: a refused login must stay on record.
    with platform.metadata.session() as session:
        user = None if wait else gov.authenticate(session=session, username=body.username, password=body.password)
        action = "auth.login_blocked" if wait else ("auth.login" if user else "auth.login_failed")
        gov.record(session=session, username=body.username, action=action, ip=ip, user_agent=agent)
        grant = None if user is None else gov.open_session(
            session=session, user=user, ttl_minutes=platform.settings.refresh_ttl_minutes, ip=ip, user_agent=agent)
    if wait:
        return _throttled(wait)
    if grant is None:
        limiter.failed(body.username, ip)
        raise Unauthorized("wrong username or password", code="login_failed")
    limiter.succeeded(body.username, ip)
    return _tokens(platform, request, response, grant)


def _throttled(seconds: int) -> JSONResponse:
    """429 in the shape of every other error, with the wait in Retry-After."""
    return JSONResponse(
        {"detail": f"too many failed logins; try again in {seconds} seconds", "code": "login_throttled",
         "params": {"seconds": seconds}},
        status_code=429, headers={"Retry-After": str(seconds)},
    )


def _tokens(platform: Platform, request: Request, response: Response, grant: gov.SessionGrant) -> TokenResponse:
    """A fresh access token for the session; the rotated refresh token (if any) goes into the cookie."""
    settings = platform.settings
    token = issue_token(key=platform.token_key, user_id=grant.user_id, username=grant.username,
                        session_id=grant.session_id, ttl_minutes=settings.token_ttl_minutes)
    if grant.refresh_token is not None:
        secure = settings.cookie_secure if settings.cookie_secure is not None else request.url.scheme == "https"
        response.set_cookie(REFRESH_COOKIE, grant.refresh_token, max_age=settings.refresh_ttl_minutes * 60,
                            path=REFRESH_PATH, httponly=True, samesite="strict", secure=secure)
    return TokenResponse(access_token=token, expires_in=settings.token_ttl_minutes * 60)


@router.post("/auth/refresh", response_model=TokenResponse)
def refresh(request: Request, response: Response, platform: PlatformDep) -> TokenResponse:
    """A new access token from the refresh cookie (which rotates); 401 when the session has ended."""
    cookie = request.cookies.get(REFRESH_COOKIE)
    grant = None
    if cookie:
        with platform.metadata.session() as session:
            grant = gov.refresh_session(session=session, refresh_token=cookie,
                                        ttl_minutes=platform.settings.refresh_ttl_minutes)
    if grant is None:
        response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH)
        raise Unauthorized("the session has ended; log in again", code="session_ended")
    return _tokens(platform, request, response, grant)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, platform: PlatformDep,
           creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """End the session: its refresh token and every access token it issued stop working at once."""
    claims = read_token(key=platform.token_key, token=creds.credentials) if creds else None
    with platform.metadata.session() as session:
        username = gov.end_session(session=session, session_id=claims.session_id if claims else None,
                                   refresh_token=request.cookies.get(REFRESH_COOKIE))
        if username is not None:
            gov.record(session=session, username=username, action="auth.logout", ip=client_ip(request),
                       user_agent=request.headers.get("user-agent"))
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, httponly=True, samesite="strict")


@router.post("/auth/password", status_code=204, response_model=None)
def change_password(body: PasswordChange, who: PrincipalDep, request: Request, platform: PlatformDep,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> JSONResponse | None:
    """Change one's own password; the policy applies and every other login of the user ends."""
    limiter: LoginLimiter = platform.extras["login_limiter"]
    ip = client_ip(request) or "?"
    # Guessing the current password here is guessing a login: the same backoff applies.
    wait = limiter.retry_after(who.username, ip)
    if wait:
        return _throttled(wait)
    claims = read_token(key=platform.token_key, token=creds.credentials) if creds else None
    with platform.metadata.session() as session:
        ok = gov.change_own_password(session=session, user_id=who.user_id, session_id=claims and claims.session_id,
                                     current=body.current_password, new=body.new_password, ip=ip)
    if not ok:
        limiter.failed(who.username, ip)
        raise Invalid("the current password is wrong", field="current_password", code="current_password_wrong")
    return None


@router.get("/me", response_model=MeRead)
def me(who: PrincipalDep, session: SessionDep) -> MeRead:
    """The logged-in user, their role, org and permissions."""
    name, name_en, _ = ROLES[who.role]
    return MeRead(
        id=who.user_id, username=who.username, display_name=who.display_name, role=who.role, role_name=name,
        role_name_en=name_en, org_code=who.org_code,
        org_name=gov.org_names(session=session).get(who.org_code, who.org_code), rm_id=who.rm_id,
        permissions=sorted(who.permissions),
    )


@router.get("/orgs", response_model=Page[OrgRead])
def orgs(who: PrincipalDep, session: SessionDep) -> Page[OrgRead]:
    """The org tree the user may see (code, name, parent code)."""
    items = gov.list_orgs(session=session, scope=who.scope)
    return Page[OrgRead](items=items, total=len(items))


AdminUsers = Annotated[Principal, Depends(require(P_ADMIN_USERS))]
AdminKeys = Annotated[Principal, Depends(require(P_ADMIN_KEYS))]
AuditReader = Annotated[Principal, Depends(require(P_AUDIT_READ))]


@router.get("/admin/users", response_model=Page[UserRead])
def list_users(_who: AdminUsers, session: SessionDep) -> Page[UserRead]:
    """Every user."""
    items = gov.list_users(session=session)
    return Page[UserRead](items=items, total=len(items))


@router.post("/admin/users", response_model=UserRead, status_code=201)
def create_user(body: UserCreate, who: AdminUsers, session: SessionDep) -> UserRead:
    """Create a user."""
    return gov.create_user(session=session, data=body, actor=who.username, ip=who.ip)


@router.patch("/admin/users/{user_id}", response_model=UserRead)
def update_user(user_id: int, body: UserUpdate, who: AdminUsers, session: SessionDep) -> UserRead:
    """Change a user (role, org, name, password, active)."""
    return gov.update_user(session=session, user_id=user_id, data=body, actor=who.username, ip=who.ip)


@router.get("/admin/roles", response_model=Page[RoleRead])
def list_roles(_who: AdminUsers, session: SessionDep) -> Page[RoleRead]:
    """Every role with its permissions."""
    items = gov.list_roles(session=session)
    return Page[RoleRead](items=items, total=len(items))


@router.get("/admin/keys", response_model=Page[KeyRead])
def list_keys(_who: AdminKeys, session: SessionDep) -> Page[KeyRead]:
    """Every ingestion write key (prefixes only)."""
    items = gov.list_keys(session=session)
    return Page[KeyRead](items=items, total=len(items))


@router.post("/admin/keys", response_model=KeyCreated, status_code=201)
def create_key(body: KeyCreate, who: AdminKeys, session: SessionDep) -> KeyCreated:
    """Create a write key; the response is the only place the full key appears."""
    return gov.create_key(session=session, name=body.name, actor=who.username, ip=who.ip)


@router.delete("/admin/keys/{key_id}", status_code=204)
def revoke_key(key_id: int, who: AdminKeys, session: SessionDep, platform: PlatformDep) -> None:
    """Revoke a write key; ingestion refuses it from now on."""
    gov.revoke_key(session=session, key_id=key_id, actor=who.username, ip=who.ip)
    cache = platform.extras.get("write_key_cache")
    if cache is not None:
        cache.clear()


@router.get("/admin/audit", response_model=Page[AuditRead])
def audit(
    _who: AuditReader, session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    action: Annotated[str | None, Query(max_length=64)] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AuditRead]:
    """The audit log, newest first."""
    items, total = gov.list_audit(session=session, limit=limit, offset=offset, action=action, username=username)
    return Page[AuditRead](items=items, total=total)


@router.get("/admin/outbound-hosts", response_model=Page[OutboundHostRead])
def list_outbound_hosts(_who: AdminKeys, session: SessionDep, platform: PlatformDep) -> Page[OutboundHostRead]:
    """Hosts outgoing calls (alert webhooks, channels) may reach although they resolve to internal addresses."""
    items = allow_list.list_outbound_hosts(session=session, settings=platform.settings)
    return Page[OutboundHostRead](items=items, total=len(items))


@router.post("/admin/outbound-hosts", response_model=OutboundHostRead, status_code=201)
def allow_outbound_host(body: OutboundHostCreate, who: AdminKeys, session: SessionDep) -> OutboundHostRead:
    """Allow outgoing calls to a host on the bank's own network; audited."""
    return allow_list.allow_outbound_host(session=session, host=body.host, actor=who.username, ip=who.ip)


@router.delete("/admin/outbound-hosts/{host}", status_code=204)
def disallow_outbound_host(host: str, who: AdminKeys, session: SessionDep) -> None:
    """Take a host off the allow-list; audited."""
    allow_list.disallow_outbound_host(session=session, host=host, actor=who.username, ip=who.ip)
