"""The outbound allow-list: hosts administrators let outgoing calls reach despite internal addresses."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from mofang.platform.errors import Invalid, NotFound
from mofang.platform.governance import repository as repo
from mofang.platform.governance.contracts import OutboundHostRead
from mofang.platform.governance.service import record
from mofang.platform.settings import Settings
from mofang.platform.storage.models import OutboundHost, as_utc, utcnow

# A DNS name or an IPv4/IPv6 literal; nothing else (no scheme, port, path or wildcard).
HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9\-]{0,62})?(\.[a-z0-9]([a-z0-9\-]{0,62})?)*|[0-9a-f:]*:[0-9a-f:.]+")


def outbound_allow_hosts(*, session: Session, settings: Settings) -> frozenset[str]:
    """Hosts outgoing calls may reach despite internal addresses: the settings' and the administrators'."""
    return settings.outbound_allow_list() | {h.host for h in repo.outbound_hosts(session)}


def list_outbound_hosts(*, session: Session, settings: Settings) -> list[OutboundHostRead]:
    """The allow-list as administrators see it, with where each entry comes from."""
    fixed = [OutboundHostRead(host=h, source="settings") for h in sorted(settings.outbound_allow_list())]
    return fixed + [
        OutboundHostRead(host=h.host, source="admin", created_by=h.created_by, created_at=as_utc(h.created_at))
        for h in repo.outbound_hosts(session)
    ]


def allow_outbound_host(*, session: Session, host: str, actor: str | None, ip: str | None = None) -> OutboundHostRead:
    """Allow outgoing calls to a host although it resolves to an internal address; audited."""
    name = host.strip().rstrip(".").lower()
    if not HOST_NAME.fullmatch(name):
        raise Invalid("give a host name or IP address only (no scheme, port or path)", field="host",
                      code="outbound_host_invalid")
    row = repo.outbound_host(session, name)
    if row is None:
        row = OutboundHost(host=name, created_by=actor, created_at=utcnow())
        session.add(row)
        session.flush()
        record(session=session, username=actor, action="outbound.allow", target_type="outbound_host",
               target_id=name, detail={}, ip=ip)
    return OutboundHostRead(host=row.host, source="admin", created_by=row.created_by,
                            created_at=as_utc(row.created_at))


def disallow_outbound_host(*, session: Session, host: str, actor: str | None, ip: str | None = None) -> None:
    """Take a host off the allow-list; audited."""
    row = repo.outbound_host(session, host.strip().rstrip(".").lower())
    if row is None:
        raise NotFound(f"host '{host}' is not on the allow-list", field="host")
    session.delete(row)
    record(session=session, username=actor, action="outbound.disallow", target_type="outbound_host",
           target_id=row.host, detail={}, ip=ip)
