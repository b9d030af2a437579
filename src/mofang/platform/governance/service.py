"""Governance orchestration: users, roles, orgs, write keys and the audit log."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.platform.crypto import sha256_hex
from mofang.platform.errors import Conflict, Invalid, NotFound
from mofang.platform.governance import repository as repo
from mofang.platform.governance.auth import hash_password, verify_password
from mofang.platform.governance.contracts import (
    AuditRead,
    KeyCreated,
    KeyRead,
    OrgRead,
    Principal,
    RoleRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from mofang.platform.governance.logic import ROLES, Scope, permissions_of
from mofang.platform.storage.models import ApiKey, AuditEntry, Org, Role, User, as_utc, utcnow

WRITE_KEY_PREFIX = "mfk_"


def sync_roles(*, session: Session) -> None:
    """Make the roles table match the catalogue in code."""
    for role_id, (name, name_en, perms) in ROLES.items():
        session.merge(Role(id=role_id, name=name, name_en=name_en, permissions=list(perms)))


def ensure_head_office(*, session: Session, name: str = "总行") -> None:
    """The root org HQ exists in every installation."""
    if repo.org(session, "HQ") is None:
        session.add(Org(code="HQ", name=name, parent_code=None, level=0))
        session.flush()


def upsert_orgs(*, session: Session, orgs: list[OrgRead]) -> None:
    """Load or refresh the org tree (parents first)."""
    repo.upsert_orgs(
        session, (Org(code=o.code, name=o.name, parent_code=o.parent_code, level=o.level) for o in orgs)
    )


def list_orgs(*, session: Session, scope: Scope) -> list[OrgRead]:
    """The orgs a user may see: their subtree (an RM sees their own branch)."""
    return [
        OrgRead(code=o.code, name=o.name, parent_code=o.parent_code, level=o.level)
        for o in repo.orgs(session)
        if scope.allows_org(o.code)
    ]


def org_names(*, session: Session) -> dict[str, str]:
    """Org code → name, for labelling rows."""
    return {o.code: o.name for o in repo.orgs(session)}


def _user_read(u: User, names: dict[str, str]) -> UserRead:
    return UserRead(
        id=u.id, username=u.username, display_name=u.display_name, role=u.role, org_code=u.org_code,
        org_name=names.get(u.org_code), rm_id=u.rm_id, active=u.active, created_at=as_utc(u.created_at),
    )


def create_user(*, session: Session, data: UserCreate, actor: str | None, ip: str | None = None) -> UserRead:
    """Create a user after checking role and org; audited."""
    if data.role not in ROLES:
        raise Invalid(f"unknown role '{data.role}' (one of: {', '.join(ROLES)})", field="role",
                      code="role.unknown", params={"role": data.role})
    if repo.org(session, data.org_code) is None:
        raise Invalid(f"unknown org code '{data.org_code}'", field="org_code", code="org.unknown",
                      params={"org": data.org_code})
    if repo.user_by_name(session, data.username) is not None:
        raise Conflict(f"username '{data.username}' is taken", field="username", code="user.taken",
                       params={"username": data.username})
    u = User(
        username=data.username, display_name=data.display_name or data.username,
        password_hash=hash_password(data.password), role=data.role, org_code=data.org_code,
        rm_id=data.rm_id, active=True,
    )
    session.add(u)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("a user with that username or RM id exists", field="username",
                       code="user.taken_or_rm") from exc
    record(session=session, username=actor, action="user.create", target_type="user", target_id=u.username,
           detail={"role": u.role, "org_code": u.org_code}, ip=ip)
    return _user_read(u, org_names(session=session))


def update_user(
    *, session: Session, user_id: int, data: UserUpdate, actor: str | None, ip: str | None = None
) -> UserRead:
    """Change a user's role, org, name, password or active flag; audited (a password reset on its own entry)."""
    u = repo.user(session, user_id)
    if u is None:
        raise NotFound(f"user {user_id} not found", code="user.not_found", params={"id": user_id})
    if data.role is not None and data.role not in ROLES:
        raise Invalid(f"unknown role '{data.role}'", field="role", code="role.unknown", params={"role": data.role})
    if data.org_code is not None and repo.org(session, data.org_code) is None:
        raise Invalid(f"unknown org code '{data.org_code}'", field="org_code", code="org.unknown",
                      params={"org": data.org_code})
    _keep_an_admin(session, u, data)
    changes: dict[str, Any] = {}
    before: dict[str, Any] = {}
    name = None if data.display_name is None else (data.display_name.strip() or u.username)
    for attr, value in (("role", data.role), ("org_code", data.org_code), ("display_name", name),
                        ("active", data.active)):
        if value is not None and getattr(u, attr) != value:
            before[attr] = getattr(u, attr)
            changes[attr] = value
            setattr(u, attr, value)
    if changes:
        record(session=session, username=actor, action="user.update", target_type="user", target_id=u.username,
               detail={**changes, "before": before}, ip=ip)
    if data.password is not None:
        u.password_hash = hash_password(data.password)
        record(session=session, username=actor, action="user.password_reset", target_type="user",
               target_id=u.username, detail={}, ip=ip)
    return _user_read(u, org_names(session=session))


def _keep_an_admin(session: Session, u: User, data: UserUpdate) -> None:
    """Refuse a change that would leave no active administrator: nobody could manage users any more."""
    demoted = data.role is not None and data.role != "admin"
    disabled = data.active is False
    if u.role != "admin" or not u.active or not (demoted or disabled):
        return
    if any(x.id != u.id and x.role == "admin" and x.active for x in repo.users(session)):
        return
    field = "active" if disabled else "role"
    raise Conflict(f"'{u.username}' is the last active administrator; appoint another one first", field=field,
                   code="user.last_admin", params={"username": u.username})


def list_users(*, session: Session) -> list[UserRead]:
    """Every user."""
    names = org_names(session=session)
    return [_user_read(u, names) for u in repo.users(session)]


def list_roles(*, session: Session) -> list[RoleRead]:
    """Every role with its permissions."""
    return [RoleRead(id=r.id, name=r.name, name_en=r.name_en, permissions=r.permissions) for r in repo.roles(session)]


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, else None."""
    u = repo.user_by_name(session, username)
    ok = verify_password(u.password_hash if u else None, password)
    return u if ok and u is not None and u.active else None


def principal(
    *, session: Session, user_id: int, ip: str | None = None, user_agent: str | None = None
) -> Principal | None:
    """The principal of an active user id, else None."""
    u = repo.user(session, user_id)
    if u is None or not u.active:
        return None
    return Principal(
        user_id=u.id, username=u.username, display_name=u.display_name, role=u.role, org_code=u.org_code,
        rm_id=u.rm_id, permissions=permissions_of(u.role),
        scope=Scope.for_user(role=u.role, org_code=u.org_code, rm_id=u.rm_id), ip=ip, user_agent=user_agent,
    )


def create_key(*, session: Session, name: str, actor: str | None, ip: str | None = None) -> KeyCreated:
    """Create a write key; the full key is returned only now."""
    key = WRITE_KEY_PREFIX + secrets.token_urlsafe(24)
    row = ApiKey(name=name, prefix=key[:10], key_hash=sha256_hex(key), created_by=actor)
    session.add(row)
    session.flush()
    record(session=session, username=actor, action="key.create", target_type="api_key", target_id=str(row.id),
           detail={"name": name, "prefix": row.prefix}, ip=ip)
    return KeyCreated(id=row.id, name=row.name, prefix=row.prefix, key=key)


def list_keys(*, session: Session) -> list[KeyRead]:
    """Every write key (prefixes only)."""
    return [
        KeyRead(id=k.id, name=k.name, prefix=k.prefix, created_by=k.created_by, created_at=as_utc(k.created_at),
                revoked_at=as_utc(k.revoked_at) if k.revoked_at else None)
        for k in repo.keys(session)
    ]


def revoke_key(*, session: Session, key_id: int, actor: str | None, ip: str | None = None) -> None:
    """Revoke a write key; audited."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"write key {key_id} not found", code="key.not_found", params={"id": key_id})
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(session=session, username=actor, action="key.revoke", target_type="api_key",
               target_id=str(key_id), detail={"name": row.name}, ip=ip)


def write_key_valid(*, session: Session, key: str) -> bool:
    """Whether a write key exists and is not revoked."""
    row = repo.key_by_hash(session, sha256_hex(key))
    return row is not None and row.revoked_at is None


def record(
    *, session: Session, username: str | None, action: str, target_type: str | None = None,
    target_id: str | None = None, detail: dict[str, Any] | None = None, ip: str | None = None,
    user_agent: str | None = None,
) -> None:
    """Append one entry to the audit log, in the caller's transaction."""
    session.add(AuditEntry(
        username=username, action=action, target_type=target_type, target_id=target_id,
        detail=detail or {}, ip=ip, user_agent=user_agent, ts=utcnow(),
    ))


def list_audit(
    *, session: Session, limit: int, offset: int, action: str | None = None, username: str | None = None,
    since: datetime | None = None,
) -> tuple[list[AuditRead], int]:
    """A page of the audit log, newest first."""
    rows, total = repo.audit_page(session, limit=limit, offset=offset, action=action, username=username,
                                  since=since)
    return [
        AuditRead(id=r.id, ts=as_utc(r.ts), username=r.username, action=r.action, target_type=r.target_type,
                  target_id=r.target_id, detail=r.detail or {}, ip=r.ip)
        for r in rows
    ], total
