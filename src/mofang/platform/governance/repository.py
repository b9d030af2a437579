"""Governance queries on the metadata database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from mofang.platform.storage.models import ApiKey, AuditEntry, AuthSession, Org, OutboundHost, Role, User, utcnow


def orgs(session: Session) -> list[Org]:
    """Every org, parents before children."""
    return list(session.scalars(select(Org).order_by(Org.level, Org.code)))


def org(session: Session, code: str) -> Org | None:
    """One org by code."""
    return session.get(Org, code)


def upsert_orgs(session: Session, rows: Iterable[Org]) -> None:
    """Insert or update orgs (parents must come first)."""
    for row in rows:
        session.merge(row)
        session.flush()


def role(session: Session, role_id: str) -> Role | None:
    """One role by id."""
    return session.get(Role, role_id)


def roles(session: Session) -> list[Role]:
    """Every role."""
    return list(session.scalars(select(Role).order_by(Role.id)))


def user_by_name(session: Session, username: str) -> User | None:
    """A user by username."""
    return session.scalars(select(User).where(User.username == username)).first()


def user(session: Session, user_id: int) -> User | None:
    """A user by id."""
    return session.get(User, user_id)


def users(session: Session) -> list[User]:
    """Every user."""
    return list(session.scalars(select(User).order_by(User.id)))


def key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    """A write key by its hash."""
    return session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()


def keys(session: Session) -> list[ApiKey]:
    """Every write key."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def audit_page(
    session: Session, *, limit: int, offset: int, action: str | None, username: str | None,
    since: datetime | None,
) -> tuple[list[AuditEntry], int]:
    """Audit entries, newest first, with the total matching."""
    conds = []
    if action:
        conds.append(AuditEntry.action == action)
    if username:
        conds.append(AuditEntry.username == username)
    if since:
        conds.append(AuditEntry.ts >= since)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conds)) or 0
    rows = session.scalars(
        select(AuditEntry).where(*conds).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def auth_session(session: Session, session_id: str) -> AuthSession | None:
    """A login session by id."""
    return session.get(AuthSession, session_id)


def auth_session_by_refresh(session: Session, refresh_hash: str) -> AuthSession | None:
    """The session whose current refresh token has this hash."""
    return session.scalars(select(AuthSession).where(AuthSession.refresh_hash == refresh_hash)).first()


def auth_session_by_previous(session: Session, refresh_hash: str) -> AuthSession | None:
    """The session whose previous (replaced) refresh token has this hash."""
    return session.scalars(select(AuthSession).where(AuthSession.prev_hash == refresh_hash)).first()


def live_auth_sessions(session: Session, user_id: int) -> list[AuthSession]:
    """A user's sessions not yet revoked or expired."""
    return list(session.scalars(select(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > utcnow())))


def outbound_hosts(session: Session) -> list[OutboundHost]:
    """The hosts administrators allow-listed for outgoing calls."""
    return list(session.scalars(select(OutboundHost).order_by(OutboundHost.host)))


def outbound_host(session: Session, host: str) -> OutboundHost | None:
    """One allow-listed host."""
    return session.get(OutboundHost, host)


def delete_auth_sessions_ended_before(session: Session, cutoff: datetime) -> None:
    """Forget sessions that expired or were revoked before the cutoff (the audit log keeps their story)."""
    session.execute(delete(AuthSession).where(
        or_(AuthSession.expires_at < cutoff, AuthSession.revoked_at < cutoff)).execution_options(
        synchronize_session=False))
