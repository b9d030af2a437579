"""Shared values of the contact-policy tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

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


def check_a_batch(platform: Any, at: datetime) -> None:
    """A batch is answered as checks one by one would be: caps counted in order, a key twice answered once."""
    from mofang.strategy.contact_policy import check_many
    from mofang.strategy.contact_policy.contracts import ContactRequest

    def req(key: str, customer: str, channel: str = "sms") -> ContactRequest:
        return ContactRequest(key=key, customer_id=customer, channel=channel, purpose="marketing",  # type: ignore[arg-type]
                              consents=ALL_CONSENTS)

    batch = [req("b1", "c1"), req("b2", "c1"), req("b3", "c2"), req("b4", "c1"), req("b1", "c1"),
             req("b5", "c1", "push")]
    out = check_many(platform=platform, requests=batch, now=at)
    assert [(d.verdict, d.reason) for d in out] == [("allow", None), ("allow", None), ("allow", None),
                                                    ("suppress", "cap_day_channel"), ("allow", None),
                                                    ("allow", None)]
    assert check_many(platform=platform, requests=batch, now=at) == out  # the same keys: the first answers
    more = check_many(platform=platform, requests=[req("b6", "c2"), req("b7", "c1")], now=at)
    assert [d.verdict for d in more] == ["allow", "suppress"]  # c2 had one of two, c1 both
