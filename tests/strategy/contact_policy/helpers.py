"""Shared values of the contact-policy tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.governance.logic import permissions_of
from mofang.strategy.contact_policy.contracts import PolicyDecision
from mofang.strategy.contact_policy.logic import BANK_TZ

HQ = Principal(user_id=1, username="root", display_name="root", role="admin", org_code="HQ", rm_id=None,
               permissions=permissions_of("admin"), scope=Scope(kind="all"))
ALL_CONSENTS = {c: True for c in ("sms", "push", "inbox", "wechat", "email", "call")}


def sh(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    """A Shanghai wall-clock time as a UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=BANK_TZ).astimezone(UTC)


Send = Callable[..., PolicyDecision]
