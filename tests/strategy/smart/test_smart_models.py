"""The smart nodes made real: a propensity model per target event behind 高潜筛选, best hours behind 最佳时机."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import add_customers, events_for
from mofang.insight import ml, profiles
from mofang.insight.ml.service import SYSTEM
from mofang.platform.context import Platform
from mofang.strategy import canvas
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.logic import advance
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service import DefaultEffects, ProfileFacts, Runtime
from mofang.strategy.engine.service.runtime import EXTRA
from mofang.strategy.smart import tasks

END = date(2026, 11, 20)
START = END - timedelta(days=119)
URL = "/api/strategies/models/propensity"


def _ts(d: date, hour: int) -> datetime:
    return datetime(d.year, d.month, d.day, hour) - timedelta(hours=8)  # naive UTC of a Shanghai hour


@pytest.fixture
def planted(platform: Platform) -> dict[str, int]:
    """300 customers over 120 days: those under 30 buy funds far more often (60% vs 5% a month); ages returned.

    Each customer logs in at an hour of their own; every fifth one opens a message at 20:00 now and then.
    """
    platform.extras["clock"] = lambda: datetime(2026, 11, 20, 18, 0)
    rng = random.Random(7)
    orgs = ["GD-SZ-001", "GD-GZ-001", "ZJ-HZ-001"]
    people: dict[str, dict] = {}
    ages: dict[str, int] = {}
    events: dict[str, list] = {}
    for i in range(300):
        cid = f"P{i:03d}"
        age = 20 + i % 40
        ages[cid] = age
        people[cid] = {"name": f"客户{i}", "org_code": orgs[i % 3], "birth_date": date(END.year - age - 1, 6, 1),
                       "aum": float(rng.randint(1_000, 500_000)), "open_date": date(2020, 1, 1)}
        items = [("login", _ts(START + timedelta(days=rng.randrange(30, 120)), 8 + i % 12), {}) for _ in range(4)]
        if i % 5 == 0:
            items += [("message_opened", _ts(START + timedelta(days=rng.randrange(30, 120)), 20), {})
                      for _ in range(2)]
        for month in range(4):
            if rng.random() < (0.6 if age < 30 else 0.05):
                items.append(("fund_purchase", _ts(START + timedelta(days=month * 30 + rng.randrange(30)), 11), {}))
        events[cid] = items
    add_customers(platform, people)
    events_for(platform, events)
    with platform.store.write() as cur:
        cur.execute("""INSERT INTO aum_daily SELECT c.customer_id, CAST(d AS DATE), c.aum
                       FROM customers c, range(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 DAY) t(d)""",
                    [START, END + timedelta(days=1)])
    profiles.refresh_profiles(platform=platform)
    return ages


def _profiles(platform: Platform) -> dict[str, profiles.Profile]:
    with platform.metadata.session() as session:
        return profiles.get_profiles(session=session, customer_ids=[f"P{i:03d}" for i in range(300)])


def test_a_model_learns_the_target_and_scores_every_customer(
        platform: Platform, planted: dict[str, int], app_client: TestClient, admin_headers: dict[str, str],
        make_user: Callable[..., str], login: Callable[[str], dict[str, str]]) -> None:
    branch = login(make_user("gz_ops", "branch_operator", "GD-GZ"))
    before = app_client.get(URL, headers=admin_headers, params={"event": "fund_purchase"})
    assert before.status_code == 200 and before.json()["trained"] is False and before.json()["customers"] == 300

    res = app_client.post(URL, headers=branch, params={"event": "fund_purchase"})  # strategy editors may train
    assert res.status_code == 200, res.text
    mine = res.json()
    # A branch sees when it was trained and counts of its own customers, not the bank-wide held-out figures.
    assert mine["trained"] and mine["trained_by"] == "gz_ops" and mine["metrics"] is None
    assert (mine["customers"], mine["scored"]) == (100, 100) and mine["scored_on"] == "2026-11-20"

    body = app_client.get(URL, headers=admin_headers, params={"event": "fund_purchase"}).json()
    m = body["metrics"]
    assert (body["customers"], body["scored"]) == (300, 300)
    assert m["auc"] > 0.75  # age decides the target: held out in time, the model finds it
    assert m["holdout_rows"] == 300 and 0 < m["holdout_positives"] < 300
    assert m["positive_rate"] == round(m["holdout_positives"] / 300, 4)
    assert date.fromisoformat(m["train_cutoffs"][0]) + timedelta(days=m["window_days"]) <= date.fromisoformat(
        m["holdout_cutoff"])
    assert len(m["score_quantiles"]) == 11 and m["score_quantiles"] == sorted(m["score_quantiles"])

    # Scores and ranks reach the profiles the engine reads: the young rank higher.
    by_id = _profiles(platform)
    young = [p.scores["fund_purchase"] for c, p in by_id.items() if planted[c] < 30]
    old = [p.scores["fund_purchase"] for c, p in by_id.items() if planted[c] >= 30]
    assert sum(young) / len(young) > 3 * sum(old) / len(old)
    ranks = sorted(by_id.values(), key=lambda p: p.score_ranks["fund_purchase"])
    assert sum(planted[p.customer_id] < 30 for p in ranks[:50]) >= 40
    assert min(p.score_ranks["fund_purchase"] for p in ranks) == pytest.approx(100 / 300, abs=1e-3)


@pytest.mark.usefixtures("planted")
def test_bad_event_names_are_refused_naming_the_field(app_client: TestClient, admin_headers: dict[str, str]
                                                      ) -> None:
    for params in ({}, {"event": ""}, {"event": "x" * 129}):
        for method in ("GET", "POST"):
            res = app_client.request(method, URL, headers=admin_headers, params=params)
            assert res.status_code == 422, (method, params, res.text)
    for event in ("never_tracked", "identify"):
        res = app_client.post(URL, headers=admin_headers, params={"event": event})
        assert res.status_code == 422 and res.json()["field"] == "event"
        assert res.json()["code"] == "propensity.unknown_event"
        assert app_client.get(URL, headers=admin_headers, params={"event": event}).status_code == 422


def test_higher_propensity_customers_take_the_high_branch(platform: Platform, planted: dict[str, int]) -> None:
    ml.train_propensity(platform=platform, event="fund_purchase")
    rt = Runtime(advance=advance, effects=DefaultEffects(), facts=ProfileFacts(),
                 clock=lambda: datetime(2026, 11, 20, 10, tzinfo=UTC), worker_id="test")
    platform.extras[EXTRA] = rt
    graph = Graph.model_validate({"nodes": [
        {"id": "in", "type": "api_entry"},
        {"id": "p", "type": "propensity", "target_event": "fund_purchase", "top_percent": 20},
        {"id": "hot", "type": "exit"}, {"id": "cold", "type": "exit"}],
        "edges": [{"source": "in", "target": "p"}, {"source": "p", "target": "hot", "label": "high"},
                  {"source": "p", "target": "cold", "label": "else"}]})
    activate(platform=platform, strategy_id=3, version=1, graph=graph, org_code="HQ")
    engine.enter(platform=platform, rt=rt, strategy_id=3, node_id="in",
                 customers=[(c, {}, "o") for c in sorted(planted)])
    while engine.dispatch(platform=platform, rt=rt) or engine.tick_timers(platform=platform, rt=rt):
        pass
    with platform.metadata.session() as s:
        at = {i.customer_id: i.node for i in s.scalars(select(EngineInstance))}
    hot = [c for c, node in at.items() if node == "hot"]
    assert len(at) == 300 and 55 <= len(hot) <= 65  # the top 20% of 300
    assert sum(planted[c] < 30 for c in hot) >= 0.8 * len(hot)  # nearly all of them young


def test_the_daily_job_retrains_what_running_strategies_use_and_refreshes_best_hours(
        platform: Platform, planted: dict[str, int], app_client: TestClient, admin_headers: dict[str, str],
        make_user: Callable[..., str], login: Callable[[str], dict[str, str]]) -> None:
    assert tasks.SMART_JOB in __import__("mofang.app", fromlist=["daily_jobs"]).daily_jobs()
    report = tasks.refresh_smart(platform, END)
    assert report["models"] == {}  # nothing uses a propensity node yet: no model is trained
    assert report["best_hours"] == 300
    assert app_client.get("/api/strategies/models/best-time", headers=admin_headers).json() == {
        "customers": 300, "known": 300}
    branch = login(make_user("sz_ops", "branch_operator", "GD-SZ"))
    assert app_client.get("/api/strategies/models/best-time", headers=branch).json() == {
        "customers": 100, "known": 100}
    by_id = _profiles(platform)
    assert all(p.scores == {} for p in by_id.values())
    # Opening messages at 20:00 outweighs four logins at the customer's own hour.
    assert {by_id[f"P{i:03d}"].best_hour for i in range(0, 300, 5)} == {20}
    assert by_id["P001"].best_hour == 9 and by_id["P011"].best_hour == 19

    graph = Graph.model_validate({"nodes": [
        {"id": "in", "type": "api_entry"},
        {"id": "p", "type": "propensity", "target_event": "fund_purchase", "min_score": 0.5},
        {"id": "bt", "type": "best_time"}, {"id": "hot", "type": "exit"}, {"id": "cold", "type": "exit"}],
        "edges": [{"source": "in", "target": "p"}, {"source": "p", "target": "bt", "label": "high"},
                  {"source": "bt", "target": "hot"}, {"source": "p", "target": "cold", "label": "else"}]})
    with platform.metadata.session() as session:
        sid = canvas.create_strategy(session=session, who=SYSTEM, name="高潜基金", description="", graph=graph)
        canvas.save_and_publish(platform=platform, session=session, who=SYSTEM, strategy_id=sid, graph=None)
    report = tasks.refresh_smart(platform, END)
    assert report["models"] == {"fund_purchase": "ok"}
    assert all("fund_purchase" in p.scores for p in _profiles(platform).values())
    with platform.metadata.session() as session:
        assert ml.modelled_events(session=session) == ["fund_purchase"]
