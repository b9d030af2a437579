"""Fixtures for ML insight: a generated demo bank shared by the module's tests, and a planted-rule bank."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, add_customers, events_for
from mofang.app import create_app
from mofang.demo.service import generate_bank
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import UserCreate
from mofang.platform.settings import Settings

END = date(2026, 11, 20)
PLANT_START = END - timedelta(days=119)


@dataclass
class DemoBank:
    """A generated bank behind a running app, with an HQ admin and a Guangdong branch operator logged in."""

    platform: Platform
    client: TestClient
    admin: dict[str, str]
    branch: dict[str, str]
    branch_org: str


def _login(client: TestClient, username: str) -> dict[str, str]:
    res = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


@pytest.fixture(scope="session")
def demo_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoBank]:
    """1,500 customers over 120 days ending 2026-11-20, with the clock fixed on that day."""
    root: Path = tmp_path_factory.mktemp("mlbank")
    # The module logs in once; on a slow CI box its tests outlast the 15-minute access token.
    settings = Settings(data_dir=root / "data", start_background=False, token_ttl_minutes=240)
    platform = open_platform(settings)
    generate_bank(platform=platform, customers=1500, days=120, seed=11, end_date=END)
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18, 0)
    with platform.metadata.session() as session:
        for username, role, org in (("ml_admin", "admin", "HQ"), ("ml_gd", "branch_operator", "GD")):
            gov.create_user(session=session, data=UserCreate(username=username, password=PASSWORD, role=role,
                                                             org_code=org), actor="test")
    with TestClient(create_app(settings, platform=platform)) as client:
        yield DemoBank(platform=platform, client=client, admin=_login(client, "ml_admin"),
                       branch=_login(client, "ml_gd"), branch_org="GD")
    platform.close()


def _ts(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour)


@pytest.fixture
def planted_bank(platform: Platform) -> dict[str, int]:
    """400 customers aged 20–59 over 120 days: those under 30 buy funds far more often (60% vs 5% a month).

    Returns each customer's age today.
    """
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18, 0)
    rng = random.Random(5)
    orgs = ["GD-SZ-001", "GD-GZ-001", "ZJ-HZ-001"]
    people: dict[str, dict] = {}
    ages: dict[str, int] = {}
    events: dict[str, list] = {}
    for i in range(400):
        cid = f"P{i:03d}"
        age = 20 + i % 40
        ages[cid] = age
        birth = date(END.year - age, 1 + i % 12, 1 + i % 27)
        if birth > END.replace(year=birth.year):  # birthday still ahead this year: one year younger
            birth = birth.replace(year=birth.year - 1)
        people[cid] = {"name": f"客户{i}", "org_code": orgs[i % 3], "birth_date": birth,
                       "gender": "M" if rng.random() < 0.5 else "F", "aum": float(rng.randint(1_000, 500_000)),
                       "open_date": date(2020, 1, 1)}
        rate = 0.6 if age < 30 else 0.05
        items = [("login", _ts(PLANT_START + timedelta(days=rng.randrange(120))), {}) for _ in range(3)]
        for month in range(4):  # each 30-day period independently
            if rng.random() < rate:
                day = PLANT_START + timedelta(days=month * 30 + rng.randrange(30))
                items.append(("fund_purchase", _ts(day, 11), {"amount": 1000}))
        events[cid] = items
    add_customers(platform, people)
    events_for(platform, events)
    with platform.store.write() as cur:
        cur.execute("""INSERT INTO aum_daily SELECT c.customer_id, CAST(d AS DATE), c.aum
                       FROM customers c, range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 DAY) t(d)""",
                    [PLANT_START, END + timedelta(days=1)])
    return ages
