"""Governance orchestration: users, roles, orgs, write keys and the audit log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mofang.platform.crypto import sha256_hex
from mofang.platform.errors import Conflict, Invalid, NotFound
from mofang.platform.governance import repository as repo
from mofang.platform.governance.auth import hash_password, new_refresh_token, verify_password
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
from mofang.platform.governance.password_policy import password_problem
from mofang.platform.storage.models import (
    ApiKey,
    AuditEntry,
    AuthSession,
    Org,
    Role,
    User,
    as_utc,
    utcnow,
)

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
    check_password(password=data.password, username=data.username)
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
    if data.password is not None:
        check_password(password=data.password, username=u.username)
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
    # What a user may see and do, or who knows the password, changed: every login of theirs ends now.
    if data.password is not None or {"role", "org_code", "active"} & changes.keys():
        revoke_user_sessions(session=session, user_id=u.id)
    return _user_read(u, org_names(session=session))


def change_own_password(*, session: Session, user_id: int, session_id: str | None, current: str, new: str,
                        ip: str | None = None) -> bool:
    """A user sets a new password (policy checked); their other logins end. False if `current` is wrong."""
    u = repo.user(session, user_id)
    if u is None or not verify_password(u.password_hash, current):
        return False
    check_password(password=new, username=u.username)
    u.password_hash = hash_password(new)
    for row in repo.live_auth_sessions(session, u.id):
        if row.id != session_id:
            row.revoked_at = utcnow()
    record(session=session, username=u.username, action="user.password_change", target_type="user",
           target_id=u.username, detail={}, ip=ip)
    return True


def check_password(*, password: str, username: str) -> None:
    """Refuse a password the policy rejects (422 naming `password`)."""
    problem = password_problem(password, username=username)
    if problem is not None:
        code, message, params = problem
        raise Invalid(message, field="password", code=code, params=dict(params))


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
    *, session: Session, user_id: int, session_id: str | None = None, ip: str | None = None,
    user_agent: str | None = None,
) -> Principal | None:
    """The principal of an active user id (and, given a session id, of a live session of theirs), else None."""
    u = repo.user(session, user_id)
    if u is None or not u.active:
        return None
    if session_id is not None and not _live(repo.auth_session(session, session_id), user_id):
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


# A refresh token replaced this recently may still arrive once: two tabs reloading at the same moment send the
# same cookie. Within the grace it yields an access token without another rotation; after it, it means theft.
REFRESH_GRACE_SECONDS = 30


@dataclass(frozen=True)
class SessionGrant:
    """A live session after login or refresh: who, which session, and the new refresh token if it rotated."""

    user_id: int
    username: str
    session_id: str
    refresh_token: str | None


def _live(row: AuthSession | None, user_id: int | None = None) -> bool:
    """Whether a session exists, is not revoked or expired (and belongs to the user, when given)."""
    return (row is not None and row.revoked_at is None and as_utc(row.expires_at) > utcnow()
            and (user_id is None or row.user_id == user_id))


def open_session(*, session: Session, user: User, ttl_minutes: int, ip: str | None = None,
                 user_agent: str | None = None) -> SessionGrant:
    """Start a session for a user who just logged in."""
    token = new_refresh_token()
    now = utcnow()
    repo.delete_auth_sessions_ended_before(session, now - timedelta(days=1))  # keeps the table small
    row = AuthSession(id=secrets.token_hex(16), user_id=user.id, refresh_hash=sha256_hex(token), rotated_at=now,
                      created_at=now, expires_at=now + timedelta(minutes=ttl_minutes), ip=ip,
                      user_agent=(user_agent or "")[:512] or None)
    session.add(row)
    session.flush()
    return SessionGrant(user_id=user.id, username=user.username, session_id=row.id, refresh_token=token)


def refresh_session(*, session: Session, refresh_token: str, ttl_minutes: int) -> SessionGrant | None:
    """Rotate a refresh token; None (and the session revoked, on reuse) when it may not be used."""
    digest = sha256_hex(refresh_token)
    row = repo.auth_session_by_refresh(session, digest)
    if row is None:
        old = repo.auth_session_by_previous(session, digest)
        if old is None or not _live(old):
            return None
        if utcnow() - as_utc(old.rotated_at) > timedelta(seconds=REFRESH_GRACE_SECONDS):
            old.revoked_at = utcnow()  # a replaced token came back late: someone else holds it
            record(session=session, username=_username(session, old.user_id), action="auth.refresh_reused",
                   target_type="session", target_id=old.id, ip=old.ip)
            return None
        return _grant(session, old, None)
    if not _live(row):
        return None
    token = new_refresh_token()
    now = utcnow()
    row.prev_hash, row.refresh_hash, row.rotated_at = digest, sha256_hex(token), now
    row.expires_at = now + timedelta(minutes=ttl_minutes)
    return _grant(session, row, token)


def _grant(session: Session, row: AuthSession, token: str | None) -> SessionGrant | None:
    u = repo.user(session, row.user_id)
    if u is None or not u.active:
        return None
    return SessionGrant(user_id=u.id, username=u.username, session_id=row.id, refresh_token=token)


def _username(session: Session, user_id: int) -> str | None:
    u = repo.user(session, user_id)
    return u.username if u else None


def end_session(*, session: Session, session_id: str | None = None, refresh_token: str | None = None) -> str | None:
    """Revoke the session named by id or by refresh token (logout); returns its user's name, if one was live."""
    row = repo.auth_session(session, session_id) if session_id else None
    if row is None and refresh_token:
        digest = sha256_hex(refresh_token)
        row = repo.auth_session_by_refresh(session, digest) or repo.auth_session_by_previous(session, digest)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    return _username(session, row.user_id)


def revoke_user_sessions(*, session: Session, user_id: int) -> int:
    """End every live session of a user (their access tokens stop working at once); returns how many."""
    rows = repo.live_auth_sessions(session, user_id)
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)

