"""The same check on PostgreSQL metadata (the scale-out database): caps, deferral replay, opt-out, idempotency."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.strategy.contact_policy import record_opt_out, release, suppressions_of
from mofang.strategy.contact_policy.contracts import CapRule, QuietHoursRule
from strategy.contact_policy.helpers import Send, check_a_batch, sh

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("no_quiet")]


@pytest.fixture
def settings(tmp_path: Path, _fresh_pg_database: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", metadata_url=_fresh_pg_database, start_background=True,
                    scheduler=False)


def test_check_on_postgres(platform: Platform, send: Send, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=1, channel="sms"))
    add_rule(QuietHoursRule(start="21:00", end="09:00"))
    day = sh(2026, 3, 20, 10)
    assert send(day, key="a").verdict == "allow"
    assert send(day, key="a").verdict == "allow"
    assert send(day, key="b").reason == "cap_day_channel"
    assert send(sh(2026, 3, 21, 0, 5), key="c").until == sh(2026, 3, 21, 9)
    assert send(sh(2026, 3, 21, 9), key="c").verdict == "allow"  # the deferral replayed when due
    assert release(platform=platform, key="c") is True
    assert send(sh(2026, 3, 21, 9), key="d").verdict == "allow"
    with platform.metadata.session() as session:
        record_opt_out(session=session, customer_id="c1", channel="push", purpose="marketing", source="app")
    assert send(day, channel="push").reason == "opted_out"
    with platform.metadata.session() as session:
        assert [s.reason for s in suppressions_of(session=session, customer_id="c1")] == [
            "opted_out", "quiet_hours", "cap_day_channel"]


def test_a_batch_is_checked_in_one_transaction_as_one_by_one(platform: Platform, add_rule: Callable[..., int]) -> None:
    add_rule(CapRule(window="day", limit=2, channel="sms"))
    check_a_batch(platform, sh(2026, 3, 20, 10))
