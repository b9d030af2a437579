"""The effect routes: scoped numbers, the audited CSV export, the global control group view, bad input as 4xx."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from world import NOW, ORG_A, build

from factories import add_aum_snapshots, add_customers
from mofang.platform.governance import service as gov
from mofang.strategy.contact_policy import control_group_of


def _pin(platform) -> None:
    platform.extras["clock"] = lambda: NOW


def test_strategy_effect_is_scoped_over_http(app_client, platform, make_user, login) -> None:
    w = build(platform, n=1200, seed=21)
    _pin(platform)
    hq = login(make_user("hq", "analyst", "HQ"))
    gz = login(make_user("gz", "branch_operator", "GD-GZ"))
    full = app_client.get("/api/effects/strategies/1", headers=hq).json()
    mine = app_client.get("/api/effects/strategies/1", headers=gz).json()
    assert full["lift"]["treated"]["customers"] == int((~w.holdout).sum())
    assert mine["lift"]["treated"]["customers"] == int((~w.holdout & (w.org == ORG_A)).sum())
    assert {g["key"] for g in mine["funnel"]["by_branch"]} == {ORG_A}
    camp = app_client.get("/api/effects/campaigns/9", params={"strategy_ids": [1]}, headers=hq).json()
    assert camp["campaign_id"] == 9 and camp["lift"] == full["lift"]


def test_bad_input_names_the_field(app_client, platform, make_user, login) -> None:
    build(platform, n=100, seed=22)
    hq = login(make_user("hq", "analyst", "HQ"))
    r = app_client.get("/api/effects/strategies/1", params={"window_days": 0}, headers=hq)
    assert r.status_code == 422
    assert app_client.get(f"/api/effects/strategies/{2**63}", headers=hq).status_code == 422
    assert app_client.get("/api/effects/campaigns/1", params={"strategy_ids": [2**40]}, headers=hq).status_code == 422
    r = app_client.get("/api/effects/global-control", params={"month_from": "9999-12-01", "month_to": "9999-12-01"},
                       headers=hq)
    assert r.status_code == 400 and r.json()["code"] == "effects.bad_period"
    r = app_client.get("/api/effects/strategies/1", params={"date_to": "9999-12-31"}, headers=hq)
    assert r.status_code == 400 and r.json()["field"] == "date_to"
    r = app_client.get("/api/effects/strategies/999", headers=hq)
    assert r.status_code == 404 and r.json()["code"] == "effects.not_published"
    r = app_client.get("/api/effects/strategies/1", params={"date_from": "2026-03-05", "date_to": "2026-03-01"},
                       headers=hq)
    assert r.status_code == 400 and r.json()["field"] == "date_to"
    r = app_client.get("/api/effects/portfolio", params={"date_from": "2026-01-01", "date_to": "2026-01-02",
                                                         "org_code": "ZJ"}, headers=login(make_user(
                                                             "gz", "branch_operator", "GD-GZ")))
    assert r.status_code == 403


def test_portfolio_ranks_and_exports_audited(app_client, platform, make_user, login) -> None:
    build(platform, strategy_id=1, n=1500, seed=23, aum_effect=8000.0)
    build(platform, strategy_id=2, n=1500, seed=24, aum_effect=0.0, lift=0.0, prefix="d")
    _pin(platform)
    hq = login(make_user("hq", "hq_operator", "HQ"))
    p = app_client.get("/api/effects/portfolio", params={"date_from": "2026-03-01", "date_to": "2026-03-31"},
                       headers=hq).json()
    assert [r["strategy_id"] for r in p["rows"]] == [1, 2]
    assert p["rows"][0]["roi"] > p["rows"][1]["roi"]
    r = app_client.get("/api/effects/portfolio.csv", params={"date_from": "2026-03-01", "date_to": "2026-03-31"},
                       headers=hq)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][0] == "策略ID" and [x[0] for x in rows[1:]] == ["1", "2"]
    with platform.metadata.session() as s:
        entries, _ = gov.list_audit(session=s, limit=50, offset=0, action="effects.portfolio.export")
    assert [e.username for e in entries] == ["hq"]


def test_fixed_cost_is_owner_only_and_audited(app_client, platform, make_user, login) -> None:
    """Only the owner org (or above) enters a strategy's fixed cost; the entry is audited."""
    build(platform, n=200, seed=25)
    zj = login(make_user("zj", "branch_operator", "ZJ"))
    gd = login(make_user("gd", "branch_operator", "GD"))
    body = {"strategy_id": 1, "amount": 120.5, "note": "海报设计"}
    assert app_client.post("/api/effects/fixed-costs", json=body, headers=zj).status_code == 403
    assert app_client.post("/api/effects/fixed-costs", json={**body, "amount": -1}, headers=gd).status_code == 422
    assert app_client.post("/api/effects/fixed-costs", json=body, headers=gd).status_code == 201
    listed = app_client.get("/api/effects/strategies/1/fixed-costs", headers=gd).json()
    assert [(c["amount"], c["note"]) for c in listed] == [(120.5, "海报设计")]
    with platform.metadata.session() as s:
        entries, _ = gov.list_audit(session=s, limit=50, offset=0, action="effects.fixed_cost.create")
    assert [(e.username, e.target_id) for e in entries] == [("gd", "1")]


def test_global_control_compares_the_group_with_the_rest(app_client, platform, make_user, login) -> None:
    admin = login(make_user("root", "admin", "HQ"))
    assert app_client.put("/api/policy/control-group", json={"percent": 20}, headers=admin).status_code == 200
    ids = [f"g{i:04d}" for i in range(400)]
    add_customers(platform, {c: {"name": "客户", "org_code": ORG_A} for c in ids})
    with platform.metadata.session() as s:
        ctl = control_group_of(session=s, customer_ids=ids)
    add_aum_snapshots(platform, [(c, date(2026, 3, 31), 1000.0 if c in ctl else 3000.0) for c in ids])
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO events (message_id, type, event, customer_id, ts, received_at) "
                        "VALUES (?, 'track', 'login', ?, ?, ?)",
                        [[f"m{c}", c, datetime(2026, 3, 10), datetime(2026, 3, 10)] for c in ids if c not in ctl])
    got = app_client.get("/api/effects/global-control", params={"month_from": "2026-03-01", "month_to": "2026-03-01"},
                         headers=admin).json()
    assert got["percent"] == 20
    (m,) = got["months"]
    assert m["month"] == "2026-03" and m["control_customers"] == len(ctl)
    assert m["rest_customers"] == 400 - len(ctl)
    assert (m["control_active_rate"], m["rest_active_rate"]) == (0.0, 1.0)
    assert (m["control_aum_mean"], m["rest_aum_mean"]) == (1000.0, 3000.0)
    zj = login(make_user("zj", "analyst", "ZJ"))
    other = app_client.get("/api/effects/global-control", params={"month_from": "2026-03-01",
                                                                  "month_to": "2026-03-01"}, headers=zj).json()
    assert other["months"] == []  # nobody of 浙江 in this bank: nothing to compare, no month shown
