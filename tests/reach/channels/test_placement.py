"""资源位 decisions: priority, segment eligibility, daily cap per customer, schedule; impressions and clicks."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from mofang.insight.profiles.models import CustomerProfile
from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.reach.content import service as content
from mofang.reach.content.contracts import StatusChange, TemplateContent, TemplateCreate
from mofang.reach.delivery import channels_service
from mofang.reach.delivery.contracts import ChannelCreate, ChannelUpdate
from mofang.reach.placement import service as placements
from mofang.reach.placement.contracts import PlacementRule
from mofang.reach.placement.logic import choose
from mofang.tracking.service import ingestor_of
from reach.conftest import admin

NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


def rule(pid: str, **over: Any) -> PlacementRule:
    return PlacementRule.model_validate({"id": pid, "slot": "home", "template_id": 1, **over})


def test_the_lowest_priority_number_among_the_eligible_wins() -> None:
    later = NOW + timedelta(hours=1)
    rules = [rule("b", priority=20), rule("a", priority=10, segment_ids=[7]), rule("c", priority=5, starts_at=later)]
    assert choose(rules, segments=[7], shown={}, now=NOW).id == "a"  # type: ignore[union-attr]
    assert choose(rules, segments=[8], shown={}, now=NOW).id == "b"  # type: ignore[union-attr]
    assert choose(rules, segments=[7], shown={}, now=NOW + timedelta(hours=2)).id == "c"  # type: ignore[union-attr]
    capped = [rule("x", priority=1, cap_per_day=2), rule("y", priority=2)]
    assert choose(capped, segments=[], shown={"x": 1}, now=NOW).id == "x"  # type: ignore[union-attr]
    assert choose(capped, segments=[], shown={"x": 2}, now=NOW).id == "y"  # type: ignore[union-attr]
    ended = [rule("z", ends_at=NOW)]
    assert choose(ended, segments=[], shown={}, now=NOW) is None


def test_a_time_without_a_zone_is_bank_time() -> None:
    r = rule("a", starts_at="2026-03-20T10:00:00")
    assert r.starts_at == datetime(2026, 3, 20, 2, 0, tzinfo=UTC)


def template(platform: Platform, title: str, body: str) -> int:
    with platform.metadata.session() as session:
        made = content.create(platform=platform, session=session, who=admin(), data=TemplateCreate(
            name=title, channel="placement", purpose="service", content=TemplateContent(title=title, body=body)))
        content.set_status(platform=platform, session=session, who=admin(), template_id=made.id,
                           data=StatusChange(status="active"))
        return made.id


def test_the_decision_api_chooses_caps_follows_changes_and_records_events(
        app_client: TestClient, platform: Platform) -> None:
    gold, wide = template(platform, "金卡专享", "金卡客户专享理财"), template(platform, "新春活动", "新春理财季")
    with platform.metadata.session() as session:
        key = gov.create_key(session=session, name="app", actor="test").key
        for cid, segs in (("c1", [3]), ("c2", [])):
            session.add(CustomerProfile(customer_id=cid, org_code="HQ", attributes={}, tags={}, segments=segs,
                                        consents={}, row_hash="x"))
        rows = [{"id": "gold", "slot": "home_banner", "template_id": gold, "priority": 1, "segment_ids": [3],
                 "cap_per_day": 2, "campaign_id": 8},
                {"id": "spring", "slot": "home_banner", "template_id": wide, "priority": 50}]
        channel = channels_service.create(platform=platform, session=session, who=admin(), data=ChannelCreate(
            channel="placement", name="首页资源位", provider="placement", config={"placements": rows}))
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    assert app_client.get("/v1/placements/home_banner?customer_id=c1").status_code == 401
    seen = [app_client.get("/v1/placements/home_banner?customer_id=c1", headers=auth).json()["placement"]
            for _ in range(3)]
    assert [p["placement_id"] for p in seen] == ["gold", "gold", "spring"]  # capped at 2 a day, then the next
    assert seen[0]["title"] == "金卡专享" and seen[0]["body"] == "金卡客户专享理财"
    other = app_client.get("/v1/placements/home_banner?customer_id=c2", headers=auth).json()
    assert other["placement"]["placement_id"] == "spring"  # not in segment 3
    assert app_client.get("/v1/placements/nowhere?customer_id=c2", headers=auth).json()["placement"] is None
    tap = app_client.post("/v1/placements/home_banner/click", headers=auth,
                          json={"customer_id": "c1", "placement_id": "gold"})
    assert tap.status_code == 204
    assert app_client.post("/v1/placements/home_banner/click", headers=auth,
                           json={"customer_id": "c1", "placement_id": "nope"}).status_code == 404
    with platform.metadata.session() as session:  # a change is seen at once by this worker
        channels_service.update(platform=platform, session=session, channel_id=channel.id, who=admin(),
                                data=ChannelUpdate(config={"placements": rows[1:]}))
    after = app_client.get("/v1/placements/home_banner?customer_id=c2", headers=auth).json()["placement"]
    assert after["placement_id"] == "spring"
    placements.flush(platform=platform)
    ingestor_of(platform).flush()
    got = platform.store.query("SELECT event, user_id, properties FROM events WHERE event LIKE 'placement_%' "
                               "ORDER BY ts", [])
    names = [(r["event"], r["user_id"]) for r in got]
    assert names.count(("placement_impression", "c1")) == 3 and names.count(("placement_clicked", "c1")) == 1
    assert '"campaign_id": 8' in next(r["properties"] for r in got if r["event"] == "placement_clicked") or \
        '"campaign_id":8' in next(r["properties"] for r in got if r["event"] == "placement_clicked")


def test_a_bad_placement_list_is_refused_naming_the_field(platform: Platform) -> None:
    import pytest

    from mofang.platform.errors import MofangError

    with platform.metadata.session() as session, pytest.raises(MofangError) as err:
        channels_service.create(platform=platform, session=session, who=admin(), data=ChannelCreate(
            channel="placement", name="x", provider="placement",
            config={"placements": [{"id": "a", "slot": "s", "template_id": 1},
                                   {"id": "a", "slot": "s", "template_id": 2}]}))
    assert err.value.field == "config.placements.1.id" and err.value.code == "reach_placement_duplicate"


def test_with_redis_the_daily_cap_holds_across_processes_and_restarts(platform: Platform) -> None:
    import os
    import threading
    import uuid

    import pytest

    url = os.environ.get("MOFANG_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests skipped: set MOFANG_TEST_REDIS_URL to run them")
    platform.settings.redis_url = url
    platform.settings.redis_key_prefix = f"test:{uuid.uuid4().hex}:"
    gold, wide = template(platform, "金卡专享", "金卡客户专享理财"), template(platform, "新春活动", "新春理财季")
    rows = [{"id": "gold", "slot": "home", "template_id": gold, "priority": 1, "cap_per_day": 5},
            {"id": "spring", "slot": "home", "template_id": wide, "priority": 50}]
    with platform.metadata.session() as session:
        channels_service.create(platform=platform, session=session, who=admin(), data=ChannelCreate(
            channel="placement", name="首页资源位", provider="placement", config={"placements": rows}))
    shown: list[str] = []
    lock = threading.Lock()

    def process() -> None:
        # Each thread is a fresh API process: its own in-memory cache, the one Redis.
        own = placements._Cache()
        for _ in range(4):
            platform.extras["placement_cache"] = own
            got = placements.decide(platform=platform, slot="home", customer_id="c1", now=NOW).placement
            with lock:
                shown.append(got.placement_id)  # type: ignore[union-attr]

    threads = [threading.Thread(target=process) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(shown).count("gold") == 5 and len(shown) == 24  # 24 requests, the cap of 5 exactly
    platform.extras["placement_cache"] = placements._Cache()  # a restart forgets nothing
    assert placements.decide(platform=platform, slot="home", customer_id="c1",
                             now=NOW).placement.placement_id == "spring"  # type: ignore[union-attr]
    assert placements.decide(platform=platform, slot="home", customer_id="c1",  # the next bank day starts afresh
                             now=NOW + timedelta(days=1)).placement.placement_id == "gold"  # type: ignore[union-attr]
    placements.flush(platform=platform)
