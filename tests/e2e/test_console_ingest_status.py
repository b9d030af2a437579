"""The console in a real browser: after an app sends a batch with a write key, the keys page shows ingestion health."""

from __future__ import annotations

import base64
import time

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui

from mofang.platform.governance import service as gov

pytestmark = pytest.mark.browser


@pytest.fixture
def write_key(platform, make_user) -> str:
    """An admin at head office and a write key for a mobile app."""
    make_user("admin1", "admin", "HQ")
    with platform.metadata.session() as session:
        return gov.create_key(session=session, name="手机银行 App", actor="test").key


def send_batch(base: str, key: str, events: list[dict]) -> None:
    """POST /v1/batch the way Segment libraries do: the key as the Basic user name, no password."""
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    res = httpx.post(base + "/v1/batch", json={"batch": events}, headers={"Authorization": auth}, timeout=10)
    assert res.status_code == 200, res.text


def refresh_until(page, test_id: str, text: str, timeout_s: float = 15) -> None:
    """Press the card's refresh button until a statistic shows `text` (the store is written every 500 ms)."""
    stat = page.get_by_test_id(test_id).locator(".ant-statistic-content-value")
    deadline = time.monotonic() + timeout_s
    while stat.inner_text().strip() != text:
        if time.monotonic() > deadline:
            expect(stat).to_have_text(text)  # fails with the value shown
        page.get_by_test_id("ingest-refresh").click()
        page.wait_for_timeout(300)


def test_admin_sees_the_events_an_app_sent_on_the_keys_page(live_server: str, page, write_key: str) -> None:
    send_batch(live_server, write_key, [
        {"type": "track", "event": "app_open", "userId": "C1", "messageId": "m-1"},
        {"type": "track", "event": "click_banner", "userId": "C1", "messageId": "m-2"},
        {"type": "track", "event": "purchase", "userId": "C2", "messageId": "m-3",
         "properties": {"amount": 10_000}},
    ])

    login_ui(page, live_server, "admin1")
    page.goto(live_server + "/admin/keys")
    card = page.get_by_test_id("ingest-status")
    expect(card).to_contain_text("采集状态")
    refresh_until(page, "ingest-events-total", "3")
    expect(page.get_by_test_id("ingest-parse-workers")).to_contain_text("2 / 2")
    expect(page.get_by_test_id("ingest-parse-workers")).to_have_attribute("data-warning", "0")
    expect(page.get_by_test_id("ingest-backlog")).to_contain_text("0")
    expect(page.get_by_test_id("ingest-backlog")).to_have_attribute("data-warning", "0")
    expect(page.get_by_test_id("ingest-mode")).to_have_text("后台写入")
    expect(page.get_by_test_id("ingest-last-flush")).not_to_contain_text("尚未写入")
    expect(page.get_by_test_id("ingest-endpoint")).to_contain_text(live_server + "/v1/batch")
    expect(page.get_by_test_id("ingest-last-error")).to_have_count(0)

    # The same card in English.
    page.get_by_test_id("lang-switch").click()
    expect(card).to_contain_text("Ingestion status")
    expect(page.get_by_test_id("ingest-mode")).to_have_text("Background writing")
