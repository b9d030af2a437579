"""After a new demo bank is generated: identities on every channel and the customer profiles workers read."""

from __future__ import annotations

import hashlib

from mofang.insight import profiles
from mofang.integration import identities
from mofang.integration.identities import IdentityRow
from mofang.platform.context import Platform
from mofang.platform.storage.models import utcnow

WECHAT_SHARE = 45  # percent of customers who follow the bank's Official Account
PUSH_SHARE = 80  # percent of app users who allowed notifications
SOURCE = "demo:identities"


def _digest(seed: int, kind: str, customer_id: str) -> bytes:
    return hashlib.sha256(f"{seed}|{kind}|{customer_id}".encode()).digest()


def demo_rows(seed: int, customer_ids: list[str], app_users: set[str]) -> list[IdentityRow]:
    """WeChat openids (and unionids) for some customers, push tokens for most app users: deterministic by seed."""
    rows: list[IdentityRow] = []
    for cid in customer_ids:
        d = _digest(seed, "wechat", cid)
        if d[0] * 100 // 256 < WECHAT_SHARE:
            tail = hashlib.sha256(d).hexdigest()
            rows.append(IdentityRow(customer_id=cid, kind="wechat_openid", value="oDemo" + tail[:23]))
            rows.append(IdentityRow(customer_id=cid, kind="wechat_unionid", value="uDemo" + tail[23:46]))
        if cid in app_users and _digest(seed, "push", cid)[0] * 100 // 256 < PUSH_SHARE:
            rows.append(IdentityRow(customer_id=cid, kind="push_token", value=_digest(seed, "token", cid).hex()[:40]))
    return rows


def prepare_identities(*, platform: Platform, seed: int) -> list[str]:
    """Copy the master's numbers, merge app users seen in events, add WeChat and push ids; refresh profiles."""
    master = identities.sync_master(platform=platform)
    seen = identities.merge_events(platform=platform)
    ids = [r["customer_id"] for r in platform.store.query("SELECT customer_id FROM customers ORDER BY customer_id")]
    with platform.metadata.session() as session:
        app = identities.addresses_of(session=session, customer_ids=ids, channel="push")
        app_users = {c for c, a in app.items() if a.kind == "app_user"}
        extra = identities.apply(session, rows=demo_rows(seed, ids, app_users), source=SOURCE,
                                 cipher=platform.cipher, key=identities.hash_key(platform), now=utcnow())
    report = profiles.refresh_profiles(platform=platform)
    return [f"identities: {master['loaded']} from the customer master, {seen['loaded']} app users from events, "
            f"{extra['loaded']} WeChat and push ids",
            f"profiles: {report.written} written in {report.seconds:.1f} s"]
