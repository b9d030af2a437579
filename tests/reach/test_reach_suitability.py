"""适当性 at send: a product of risk R(n) never reaches a customer whose KYC level is below C(n), or unknown."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from factories import add_customers
from mofang import reach
from mofang.insight.profiles import refresh_profiles
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.platform.suitability import unsuitable
from mofang.reach.contracts import SendRequest
from mofang.reach.delivery import service
from mofang.reach.models import Delivery, ReachEvent
from reach.conftest import FakePolicy, Receiver

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The delivery log and profiles on SQLite, and on a fresh PostgreSQL database when configured."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, start_background=True, scheduler=False)


@pytest.fixture
def kyc(bank: Platform) -> Platform:
    """Customers by KYC level: C2, C5 and one who never took the risk assessment."""
    add_customers(bank, {
        "low": {"name": "赵六", "org_code": "GD-SZ-001", "risk_level": "C2", "phone": "13600006666"},
        "high": {"name": "钱七", "org_code": "GD-SZ-001", "risk_level": "C5", "phone": "13500005555"},
        "unknown": {"name": "孙八", "org_code": "GD-SZ-001", "risk_level": None, "phone": "13400004444"},
    })
    return bank


def offer(key: str, customer: str, risk: int | None = 4) -> SendRequest:
    return SendRequest(customer_id=customer, channel="sms", idempotency_key=key, product_risk=risk,
                       variables={"content": "稳健进取理财（R4）今日开售"}, business_line="wealth", strategy_id=3,
                       node_id="offer")


def deliveries(platform: Platform) -> dict[str, Delivery]:
    with platform.metadata.session() as session:
        return {d.idempotency_key: d for d in session.scalars(select(Delivery))}


def test_an_r4_product_reaches_a_c5_customer_but_never_a_c2_or_unassessed_one(
        kyc: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    out = service.send_many(platform=kyc, requests=[offer("o-low", "low"), offer("o-high", "high"),
                                                    offer("o-unknown", "unknown")], now=NOW)
    assert [(o.status, o.reason, o.cost_fen) for o in out] == [
        ("suppressed", "unsuitable", 0), ("accepted", None, 5), ("suppressed", "unsuitable", 0)]
    # Only the C5 customer's phone was called; the others were refused before the policy (no cap used by them).
    assert [json.loads(r["body"])["mobile"] for r in receiver.requests] == ["13500005555"]
    assert [c.customer_id for c in policy.checks] == ["high"]
    rows = deliveries(kyc)
    assert (rows["o-low"].status, rows["o-low"].reason, rows["o-low"].cost_fen) == ("suppressed", "unsuitable", 0)
    assert rows["o-low"].customer_org_code == "GD-SZ-001"  # in the branch's log like any other suppression
    with kyc.metadata.session() as session:
        events = [e.message for e in session.scalars(select(ReachEvent))]
    suppressed = [e for e in events if e["event"] == "message_suppressed"]
    assert sorted(e["userId"] for e in suppressed) == ["low", "unknown"]
    assert {e["properties"]["reason"] for e in suppressed} == {"unsuitable"}


def test_the_same_key_again_returns_the_same_suppression_and_sends_nothing(
        kyc: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    first = reach.send(platform=kyc, request=offer("again", "low"), now=NOW)
    # Even if the customer is re-assessed meanwhile, the key's answer stays the first one (exactly once).
    with kyc.store.write() as cur:
        cur.execute("UPDATE customers SET risk_level = 'C5' WHERE customer_id = 'low'")
    refresh_profiles(platform=kyc, customer_ids=["low"])
    second = reach.send(platform=kyc, request=offer("again", "low"), now=NOW + timedelta(minutes=1))
    assert first.status == "suppressed" and first.reason == "unsuitable" and first.delivery_id is not None
    assert second == first
    assert receiver.requests == [] and policy.checks == [] and len(deliveries(kyc)) == 1
    assert reach.send(platform=kyc, request=offer("after", "low"), now=NOW).status == "accepted"  # a new offer


def test_without_a_product_risk_or_with_a_low_one_suitability_stops_nobody(
        kyc: Platform, policy: FakePolicy, receiver: Receiver, sms_channel: Callable[..., int]) -> None:
    sms_channel()
    out = service.send_many(platform=kyc, requests=[offer("n-low", "low", None), offer("r1-unknown", "unknown", 1),
                                                    offer("r2-low", "low", 2)], now=NOW)
    assert [o.status for o in out] == ["accepted", "accepted", "accepted"]
    with pytest.raises(ValueError, match="product_risk"):
        reach.send(platform=kyc, request=offer("bad", "high", 6), now=NOW)


def test_the_rule_is_the_campaign_centres_rule() -> None:
    from mofang.campaigns.lifecycle import logic as campaign_rules

    assert campaign_rules.unsuitable is unsuitable
    assert unsuitable(4, "C2") and unsuitable("R4", "C3") and not unsuitable(4, "C4") and not unsuitable("R4", "C5")
    assert unsuitable(2, None) and unsuitable("R2", "unknown") and not unsuitable(1, None)
    assert not unsuitable(None, None) and not unsuitable(True, "C1")  # type: ignore[arg-type]
