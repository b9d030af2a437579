"""Whether an answered claim survives a Redis crash: read from Redis's CONFIG at start, logged, shown to the console."""

from __future__ import annotations

import logging
import os
import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from mofang.campaigns.benefits import logic, redis_stock, tasks
from mofang.platform.context import Platform

REDIS = os.environ.get("MOFANG_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS, reason="Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")


@pytest.mark.parametrize(("appendonly", "appendfsync", "state"), [
    ("yes", "always", "durable"), ("YES", "Always", "durable"), ("yes", "everysec", "not_durable"),
    ("no", "always", "not_durable"), (None, None, "unknown"), ("yes", None, "unknown")])
def test_only_an_append_only_file_synced_on_every_write_is_durable(appendonly: str | None, appendfsync: str | None,
                                                                   state: str) -> None:
    assert logic.redis_durability(appendonly, appendfsync) == state


def test_embedded_claims_need_no_redis_check(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    got = app_client.get("/api/benefits/status", headers=admin_headers)
    assert got.status_code == 200 and got.json()["store"] == "embedded" and got.json()["durability"] == "durable"
    assert app_client.get("/api/benefits/status").status_code == 401


@needs_redis
def test_a_redis_without_fsync_on_every_write_is_reported_and_logged(
        app_client: TestClient, platform: Platform, admin_headers: dict[str, str],
        caplog: pytest.LogCaptureFixture) -> None:
    platform.settings.redis_url = REDIS
    platform.extras["redis_prefix"] = f"test:{uuid.uuid4().hex[:10]}:"
    client = redis_stock.state(platform).client
    appendonly = client.config_get("appendonly")["appendonly"]
    appendfsync = client.config_get("appendfsync")["appendfsync"]
    with caplog.at_level(logging.WARNING, logger="mofang.benefits"):
        tasks.check_durability(platform)
    body = app_client.get("/api/benefits/status", headers=admin_headers).json()
    assert (body["store"], body["appendonly"], body["appendfsync"]) == ("redis", appendonly, appendfsync)
    assert body["durability"] == logic.redis_durability(appendonly, appendfsync)
    assert body["code"] == f"benefits.redis_{body['durability']}"
    warned = [r for r in caplog.records if "persistence" in r.getMessage()]
    assert bool(warned) == (body["durability"] != "durable")  # CI's Redis keeps no AOF: a warning, yet it serves
    redis_stock.stop(platform)


@needs_redis
def test_a_managed_redis_that_refuses_config_is_unknown_not_an_error(
        platform: Platform, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from mofang.campaigns.benefits import service

    platform.settings.redis_url = REDIS
    platform.extras["redis_prefix"] = f"test:{uuid.uuid4().hex[:10]}:"
    client = redis_stock.state(platform).client

    def refused(*_args: object, **_kw: object) -> None:
        raise redis.ResponseError("unknown command 'CONFIG'")

    monkeypatch.setattr(client, "config_get", refused)
    with caplog.at_level(logging.WARNING, logger="mofang.benefits"):
        tasks.check_durability(platform)
    status = service.claims_status(platform=platform)
    assert (status.durability, status.code, status.appendonly) == ("unknown", "benefits.redis_unknown", None)
    assert any("unknown" in r.getMessage() for r in caplog.records)
    redis_stock.stop(platform)


def test_every_claims_status_message_has_a_chinese_and_an_english_text() -> None:
    import re
    from pathlib import Path

    from mofang.campaigns.benefits.logic import claims_message

    text = (Path(__file__).resolve().parents[3] / "web" / "src" / "i18n" / "parts" / "benefits.ts").read_text("utf-8")
    zh, _, en = text.partition("export const en")
    keys = [claims_message("embedded", "durable")] + [claims_message("redis", s)
                                                      for s in ("durable", "not_durable", "unknown")]
    for part in (zh, en):
        assert all(re.search(rf"'{re.escape(k)}'\s*:", part) for k in keys)
