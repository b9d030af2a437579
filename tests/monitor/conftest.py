"""Fixtures for analytics tests: the small bank loaded, and an analyst posting queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from analytics_bank import CUSTOMERS, EVENTS

from factories import add_customers, events_for
from mofang.platform.context import Platform


@pytest.fixture
def bank(platform: Platform) -> Platform:
    """The platform with the small bank loaded."""
    add_customers(platform, CUSTOMERS)
    events_for(platform, EVENTS)
    return platform


@pytest.fixture
def analyst(app_client, make_user, login, bank) -> Callable[..., dict]:
    """POST a query as a head-office analyst; returns the response."""
    headers = login(make_user("ana", "analyst", "HQ"))

    def _post(model: str, body: dict, expect: int = 200, as_headers: dict | None = None) -> dict:
        res = app_client.post(f"/api/analytics/{model}", json=body, headers=as_headers or headers)
        assert res.status_code == expect, res.text
        return res.json()

    return _post
