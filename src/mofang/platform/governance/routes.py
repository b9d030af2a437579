"""HTTP routes of governance: login, me, orgs, and the admin pages (users, roles, keys, audit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from mofang.platform.deps import PlatformDep, PrincipalDep, SessionDep, client_ip, require
from mofang.platform.errors import TooManyRequests, Unauthorized
from mofang.platform.governance import service as gov
from mofang.platform.governance.auth import issue_token
from mofang.platform.governance.contracts import (
    AuditRead,
    KeyCreate,
    KeyCreated,
    KeyRead,
    LoginRequest,
    MeRead,
    OrgRead,
    Page,
    Principal,
    RoleRead,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from mofang.platform.governance.logic import P_ADMIN_KEYS, P_ADMIN_USERS, P_AUDIT_READ, ROLES

router = APIRouter(prefix="/api", tags=["governance"])


@router.post("/auth/login", response_model=TokenResponse)
def login(body: LoginRequest, request: Request, platform: PlatformDep) -> TokenResponse:
    """Exchange username and password for a bearer token; repeated failures are rate-limited."""
    limiter = platform.extras["login_limiter"]
    ip = client_ip(request) or "?"
    agent = request.headers.get("user-agent")
    keys = (f"user:{body.username}", f"ip:{ip}")
    blocked = limiter.blocked(*keys)
    # Each outcome is audited in its own committed transaction: a refused login must stay on record.
    with platform.metadata.session() as session:
        user = None if blocked else gov.authenticate(session=session, username=body.username,
                                                     password=body.password)
        action = "auth.login_blocked" if blocked else ("auth.login" if user else "auth.login_failed")
        gov.record(session=session, username=body.username, action=action, ip=ip, user_agent=agent)
    if blocked:
        raise TooManyRequests("too many failed logins; try again in a few minutes", code="login.too_many")
    if user is None:
        limiter.failed(*keys)
        raise Unauthorized("wrong username or password", code="login.failed")
    limiter.succeeded(*keys)
    token = issue_token(key=platform.token_key, user_id=user.id, username=user.username,
                        ttl_minutes=platform.settings.token_ttl_minutes)
    return TokenResponse(access_token=token)


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


