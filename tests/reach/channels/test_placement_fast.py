"""资源位 fast path: decisions from memory answer like the full route, and their impressions are stored."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate
from mofang.reach.placement import service as placements
from mofang.tracking.service import ingestor_of
from reach.channels.test_placement import template
from reach.conftest import admin


def _setup(platform: Platform) -> dict[str, str]:
    gold, wide = template(platform, "金卡专享", "金卡客户专享理财"), template(platform, "新春活动", "新春理财季")
    with platform.metadata.session() as session:
        key = gov.create_key(session=session, name="app", actor="test").key
        for cid, segs in (("c1", [3]), ("c2", []), ("c3", [3, 9])):
            session.add(CustomerProfile(customer_id=cid, org_code="HQ", attributes={}, tags={}, segments=segs,
                                        consents={}, row_hash="x"))
        rows = [{"id": "gold", "slot": "home_banner", "template_id": gold, "priority": 1, "segment_ids": [3],
                 "cap_per_day": 2},
                {"id": "spring", "slot": "home_banner", "template_id": wide, "priority": 50}]
        channels_service.create(platform=platform, session=session, who=admin(), data=ChannelCreate(
            channel="placement", name="首页资源位", provider="placement", config={"placements": rows}))
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def _count_full_route(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    full = placements.decide

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs["customer_id"])
        return full(**kwargs)

    monkeypatch.setattr(placements, "decide", counted)
    return calls


def test_warm_decisions_come_from_memory_and_answer_like_the_full_route(
        app_client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    auth = _setup(platform)
    calls = _count_full_route(monkeypatch)
    first = app_client.get("/v1/placements/home_banner?customer_id=c1", headers=auth)
    assert calls == ["c1"]  # a key not seen yet and placements not loaded: the full route
    again = app_client.get("/v1/placements/home_banner?customer_id=c1", headers=auth)
    assert calls == ["c1"]  # from memory now
    assert again.status_code == 200 and again.headers["content-type"] == "application/json"
    assert again.headers["cache-control"] == first.headers["cache-control"] == "no-store"
    assert again.headers["x-frame-options"] == "DENY"
    assert first.json()["placement"] == again.json()["placement"]
    assert again.json() == {"slot": "home_banner", "customer_id": "c1", "placement": {
        "placement_id": "gold", "slot": "home_banner", "template_id": first.json()["placement"]["template_id"],
        "title": "金卡专享", "body": "金卡客户专享理财", "url": None}}
    third = app_client.get("/v1/placements/home_banner?customer_id=c1", headers=auth).json()
    assert third["placement"]["placement_id"] == "spring"  # the cap of 2 a day holds across both paths
    assert app_client.get("/v1/placements/nowhere?customer_id=c2", headers=auth).json() == \
        {"slot": "nowhere", "customer_id": "c2", "placement": None}
    # What the fast path does not decide still gets the full route's answers.
    assert app_client.get("/v1/placements/home_banner?customer_id=c1").status_code == 401
    bad = {"Authorization": "Basic " + base64.b64encode(b"nope:").decode()}
    assert app_client.get("/v1/placements/home_banner?customer_id=c1", headers=bad).status_code == 401
    assert app_client.get("/v1/placements/home_banner?customer_id=c%201", headers=auth).status_code == 422
    assert app_client.get("/v1/placements/home_banner", headers=auth).status_code == 422


def test_the_segment_snapshot_decides_without_reading_profiles(
        app_client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    auth = _setup(platform)
    app_client.get("/v1/placements/home_banner?customer_id=c2", headers=auth)
    cache = platform.extras["placement_cache"]
    deadline = time.monotonic() + 10
    while cache.members is None and time.monotonic() < deadline:  # the refresher builds it in the background
        time.sleep(0.05)
    assert cache.members == {"c1": [3], "c3": [3]}  # only the segments placements name are kept
    calls = _count_full_route(monkeypatch)
    got = [app_client.get(f"/v1/placements/home_banner?customer_id={c}", headers=auth).json()["placement"]
           ["placement_id"] for c in ("c3", "c2", "c404")]
    assert got == ["gold", "spring", "spring"] and calls == []


def test_impressions_of_fast_decisions_are_stored_once(app_client: TestClient, platform: Platform) -> None:
    auth = _setup(platform)
    for _ in range(5):
        app_client.get("/v1/placements/home_banner?customer_id=c2", headers=auth)
    placements.flush(platform=platform)  # waits for the loop's hand-over in flight
    ingestor_of(platform).flush()
    got = platform.store.query("SELECT count(*) AS n, count(DISTINCT message_id) AS m FROM events "
                               "WHERE event = 'placement_impression' AND user_id = 'c2'", [])[0]
    assert got["n"] == got["m"] == 5


def test_a_remembered_key_is_rechecked_in_the_background_and_a_revoked_one_dropped(platform: Platform) -> None:
    with platform.metadata.session() as session:
        made = gov.create_key(session=session, name="app", actor="test")
    assert placements.check_key(platform=platform, key=made.key)
    cache = platform.extras["placement_cache"]
    cache.keys[made.key] = time.monotonic() + 1  # about to lapse: re-checked, still valid
    placements._recheck_keys(platform, cache)
    assert placements.key_known(platform=platform, key=made.key)
    with platform.metadata.session() as session:
        gov.revoke_key(session=session, key_id=made.id, actor="test")
    cache.keys[made.key] = time.monotonic() + 1
    placements._recheck_keys(platform, cache)
    assert not placements.key_known(platform=platform, key=made.key)
    assert not placements.check_key(platform=platform, key="nope")


def test_with_redis_fast_decisions_count_the_same_cap(app_client: TestClient, platform: Platform,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import uuid

    url = os.environ.get("MOFANG_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")
    platform.settings.redis_url = url
    platform.settings.redis_key_prefix = f"test:{uuid.uuid4().hex}:"
    auth = _setup(platform)
    calls = _count_full_route(monkeypatch)
    got = [app_client.get("/v1/placements/home_banner?customer_id=c1", headers=auth).json()["placement"]
           ["placement_id"] for _ in range(3)]
    assert got == ["gold", "gold", "spring"] and calls == ["c1"]  # the first by the full route, then on the loop
    platform.extras["placement_cache"] = placements._Cache()  # another process: its own memory, the one Redis
    assert placements.decide(platform=platform, slot="home_banner",
                             customer_id="c1").placement.placement_id == "spring"  # type: ignore[union-attr]


def test_impressions_still_queued_when_the_server_stops_are_stored(settings: Any, platform: Platform) -> None:
    from mofang.app import create_app

    auth = _setup(platform)
    with TestClient(create_app(settings, platform=platform)) as client:
        for _ in range(3):
            assert client.get("/v1/placements/home_banner?customer_id=c2", headers=auth).status_code == 200
    # The lifespan handed the queue over before ingestion stopped (which moved everything into DuckDB).
    got = platform.store.query("SELECT count(*) AS n FROM events WHERE event = 'placement_impression'", [])[0]
    assert got["n"] == 3
