"""Fixtures of the contact-policy tests: a platform with chosen rules, a head-office principal, a send helper."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import update

from mofang.platform.context import Platform
from mofang.strategy.contact_policy import admin
from mofang.strategy.contact_policy import check as policy_check
from mofang.strategy.contact_policy.contracts import ContactRequest, PolicyDecision, RuleBody, RuleWrite
from mofang.strategy.contact_policy.models import PolicyRule
from strategy.contact_policy.helpers import ALL_CONSENTS, HQ, Send


@pytest.fixture
def no_quiet(platform: Platform) -> Platform:
    """The platform with the default quiet hours switched off (tests of caps send at any hour)."""
    with platform.metadata.session() as session:
        session.execute(update(PolicyRule).values(enabled=False))
        admin.repo.bump(session)
    return platform


@pytest.fixture
def add_rule(platform: Platform) -> Callable[..., int]:
    """Add a rule as head office; returns its id."""

    def _add(body: RuleBody, name: str = "规则") -> int:
        with platform.metadata.session() as session:
            return admin.create_rule(session=session, who=HQ, data=RuleWrite(name=name, rule=body)).id

    return _add


@pytest.fixture
def send(platform: Platform) -> Send:
    """Check one send (a fresh key unless given), marketing with every consent unless told otherwise."""
    keys = itertools.count()

    def _send(at: datetime, customer_id: str = "c1", channel: str = "sms", **kw: object) -> PolicyDecision:
        fields: dict[str, object] = {"key": f"k{next(keys)}", "purpose": "marketing", "consents": ALL_CONSENTS, **kw}
        req = ContactRequest(customer_id=customer_id, channel=channel, **fields)  # type: ignore[arg-type]
        return policy_check(platform=platform, request=req, now=at)

    return _send
