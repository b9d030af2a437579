"""A small bank for campaign tests: customers in two branches, makers and approvers, a write key, fake benefits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from campaign_bank import NOW, Issued

import mofang.campaigns
from factories import add_customers, events_for
from mofang.insight import profiles
from mofang.integration import identities
from mofang.platform.context import Platform
from mofang.platform.governance import auth
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every API test on the embedded SQLite metadata DB and on PostgreSQL (when MOFANG_TEST_POSTGRES_URL is set)."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", start_background=True, scheduler=False, metadata_url=url)


@pytest.fixture
def issued(monkeypatch: pytest.MonkeyPatch) -> Issued:
    """The benefits part (built in parallel) replaced by a recorder with its idempotency contract."""
    fake = Issued()
    monkeypatch.setattr(mofang.campaigns, "issue_benefit", fake, raising=False)
    return fake


@pytest.fixture
def bank(platform: Platform) -> Platform:
    """Customers g1..g6 in 广州天河 (GD-GZ-001), z1 in 杭州 (ZJ-HZ-001), profiles refreshed, the clock at NOW."""
    customers = {f"g{i}": {"name": f"广州{i}", "org_code": "GD-GZ-001", "phone": f"1390000000{i}",
                           "risk_level": "C2" if i == 1 else "C4"} for i in range(1, 7)}
    customers["z1"] = {"name": "杭州1", "org_code": "ZJ-HZ-001", "phone": "13911110000"}
    add_customers(platform, customers)
    # The loan campaign's events, seen once: the catalogue the compiled strategies are validated against.
    events_for(platform, {"g1": [("loan_quota_check", datetime(2026, 11, 1, 2), {}),
                                 ("loan_disbursed", datetime(2026, 11, 2, 2), {"amount": 600_000})]})
    identities.sync_master(platform=platform)
    profiles.refresh_profiles(platform=platform)
    platform.extras["clock"] = lambda: NOW
    return platform


@pytest.fixture
def people(bank: Platform, make_user: Callable[..., str], login: Callable[[str], dict[str, str]],
           monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    """Logged-in users: a maker and a second maker in 广州, approvers in 广州/广东/浙江/总行, an admin."""
    # Seven logins need not cost seven seconds of Argon2: cheap parameters (the hash records its own).
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    users = {"maker": ("branch_operator", "GD-GZ"), "maker2": ("branch_operator", "GD-GZ"),
             "gz_approver": ("approver", "GD-GZ"), "gd_approver": ("approver", "GD"),
             "zj_approver": ("approver", "ZJ"), "hq_approver": ("approver", "HQ"), "boss": ("admin", "HQ")}
    return {name: login(make_user(name, role, org)) for name, (role, org) in users.items()}


@pytest.fixture
def write_key(bank: Platform) -> dict[str, str]:
    """The X-Api-Key header of a valid write key."""
    with bank.metadata.session() as s:
        return {"X-Api-Key": gov.create_key(session=s, name="app server", actor="test").key}


