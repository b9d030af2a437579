"""Decision-tree insight: a planted rule is recovered, nodes add up, rules read in Chinese, leaves become segments."""

from __future__ import annotations

from datetime import date

import numpy as np
from fastapi.testclient import TestClient

from mofang.insight.ml import features as F
from mofang.insight.ml import repository as repo
from mofang.insight.ml import service as ml
from mofang.insight.ml import tree as tr
from mofang.insight.tags import service as tags

TREES = "/api/insight/ml/trees"


def _check_counts(nodes: list[dict]) -> None:
    by_id = {n["id"]: n for n in nodes}
    for n in nodes:
        if not n["leaf"]:
            left, right = by_id[n["left"]], by_id[n["right"]]
            assert n["count"] == left["count"] + right["count"]
            assert n["positives"] == left["positives"] + right["positives"]
            assert n["holdout_count"] == left["holdout_count"] + right["holdout_count"]
    leaves = [n for n in nodes if n["leaf"]]
    assert sum(n["count"] for n in leaves) == nodes[0]["count"]


def test_tree_recovers_planted_age_rule(app_client: TestClient, admin_headers, planted_bank) -> None:
    res = app_client.post(TREES, headers=admin_headers, json={
        "name": "基金购买", "target": "fund_purchase", "features": ["age", "gender", "aum"],
        "max_depth": 2, "min_leaf": 20, "horizon_days": 30})
    assert res.status_code == 201, res.text
    tree = res.json()
    root = tree["nodes"][0]
    assert root["feature"] == "age" and 28.5 <= root["threshold"] <= 30.5
    young, old = (n for n in tree["nodes"] if n["id"] in (root["left"], root["right"]))
    assert young["rate"] > 0.4 and old["rate"] < 0.15 and young["lift"] > 3
    assert young["split"].startswith("年龄 ≤ ") and old["split"].startswith("年龄 ≥ ")
    _check_counts(tree["nodes"])
    assert tree["nodes"][0]["count"] == 400
    m = tree["metrics"]
    assert m["train_cutoff"] == "2026-09-21" and m["holdout_cutoff"] == "2026-10-21"
    assert m["auc"] > 0.8 and m["holdout_rows"] == 400
    best = m["best_leaves"][0]
    assert best["holdout_lift"] > 2 and "年龄 ≤ 2" in best["rule"] and "目标率" in best["rule"]
    assert all(r.startswith("若 ") for r in tree["rules"])
    again = app_client.get(f"{TREES}/{tree['id']}", headers=admin_headers).json()
    assert again["nodes"] == tree["nodes"]


def test_tree_input_is_validated_naming_the_field(app_client: TestClient, admin_headers, planted_bank) -> None:
    base = {"target": "fund_purchase", "features": ["age"], "max_depth": 2, "min_leaf": 20}
    cases = [({"features": ["age", "shoe_size"]}, "features.1"), ({"target": "teleport"}, "target"),
             ({"horizon_days": 60}, "horizon_days")]
    for change, field in cases:
        res = app_client.post(TREES, headers=admin_headers, json={**base, **change})
        assert res.status_code == 422 and res.json()["field"] == field, res.text
    res = app_client.post(TREES, headers=admin_headers, json={**base, "max_depth": 40})
    assert res.status_code == 422 and "max_depth" in res.text


def test_planted_leaf_becomes_segment_with_the_same_members(app_client: TestClient, admin_headers, planted_bank,
                                                           platform) -> None:
    tree = app_client.post(TREES, headers=admin_headers, json={
        "target": "fund_purchase", "features": ["age"], "max_depth": 1, "min_leaf": 20}).json()
    root = tree["nodes"][0]
    res = app_client.post(f"{TREES}/{tree['id']}/leaves/{root['left']}/segment", headers=admin_headers,
                          json={"name": "年轻基金客群"})
    assert res.status_code == 201, res.text
    seg = res.json()
    got: set[str] = set()
    for offset in range(0, 400, 100):
        page = app_client.get(f"/api/insight/segments/{seg['id']}/members?limit=100&offset={offset}",
                              headers=admin_headers)
        assert page.status_code == 200, page.text
        got |= {m["customer_id"] for m in page.json()["items"]}
    cut = int(root["threshold"])  # ages ≤ cut today
    assert got == {c for c, age in planted_bank.items() if age <= cut}
    assert seg["description"] == root["rule"].replace(root["rule"], seg["description"])  # the leaf's rule
    assert "年龄 ≤" in seg["description"]


def _leaf_counts_today(platform, tree_id: int) -> dict[int, int]:
    """Customers in each leaf when the tree is applied to today's features (what the segment must match)."""
    with platform.metadata.session() as session:
        row = repo.model(session, tree_id)
        assert row is not None
        spec, path = row.spec, row.path
    model = repo.load_binary(platform.settings.data_dir, path)
    feats = [F.parse(k) for k in spec["request"]["features"]]
    fr = F.frame(platform.store, cutoff=ml.seg_service.today_of(platform), features=feats,
                 scope=ml.SYSTEM.scope)
    x, _, _ = F.encode(fr, feats, spec["categories"])
    leaves, counts = np.unique(model.apply(x), return_counts=True)
    return dict(zip(leaves.tolist(), counts.tolist(), strict=True))


def test_every_leaf_of_a_demo_tree_is_an_equivalent_segment(demo_bank) -> None:
    client, admin = demo_bank.client, demo_bank.admin
    feats = ["age", "gender", "tier", "risk_level", "aum", "tenure_days", "days_since_login", "event:product_view",
             "event7:login", "event:fund_purchase", "holding:基金", "holding:理财", "acquisition_channel"]
    res = client.post(TREES, headers=admin, json={"target": "fund_purchase", "features": feats, "max_depth": 4,
                                                  "min_leaf": 15, "horizon_days": 30})
    assert res.status_code == 201, res.text
    tree = res.json()
    _check_counts(tree["nodes"])
    assert tree["metrics"]["auc"] is not None and tree["metrics"]["auc"] > 0.6
    today = _leaf_counts_today(demo_bank.platform, tree["id"])
    used = {n["feature"] for n in tree["nodes"] if not n["leaf"]}
    assert len(used) >= 2, used
    for node in (n for n in tree["nodes"] if n["leaf"]):
        with demo_bank.platform.metadata.session() as session:
            cond = ml.leaf_condition(platform=demo_bank.platform, session=session, who=ml.SYSTEM,
                                     tree_id=tree["id"], node_id=node["id"])
        est = client.post("/api/insight/segments/estimate", headers=admin,
                          json={"definition": cond.model_dump(mode="json", exclude_none=True)})
        assert est.status_code == 200, est.text
        assert est.json()["count"] == today.get(node["id"], 0), node["rule"]
    leaf = max((n for n in tree["nodes"] if n["leaf"]), key=lambda n: n["rate"])
    saved = client.post(f"{TREES}/{tree['id']}/leaves/{leaf['id']}/segment", headers=admin)
    assert saved.status_code == 201, saved.text
    members = client.get(f"/api/insight/segments/{saved.json()['id']}/members?limit=1", headers=admin).json()
    assert members["total"] == today.get(leaf["id"], 0)
    assert leaf["rule"] in saved.json()["description"]


def test_branch_trains_on_its_scope_and_cannot_see_hq_trees(demo_bank) -> None:
    client = demo_bank.client
    body = {"target": "fund_purchase", "features": ["age", "aum_change_30d"], "max_depth": 2, "min_leaf": 10}
    mine = client.post(TREES, headers=demo_bank.branch, json=body).json()
    hq = client.post(TREES, headers=demo_bank.admin, json=body).json()
    in_gd = demo_bank.platform.store.scalar(
        "SELECT count(*) FROM customers WHERE (org_code = 'GD' OR starts_with(org_code, 'GD-')) AND open_date <= ?",
        [mine["metrics"]["train_cutoff"]])
    assert mine["metrics"]["train_rows"] == in_gd < hq["metrics"]["train_rows"]
    assert client.get(f"{TREES}/{hq['id']}", headers=demo_bank.branch).status_code == 404
    listed = {t["id"] for t in client.get(TREES, headers=demo_bank.branch).json()}
    assert mine["id"] in listed and hq["id"] not in listed
    uses_change = [n for n in hq["nodes"] if not n["segmentable"]]
    if uses_change:  # a rule on AUM change cannot become a segment: said plainly, nothing written
        res = client.post(f"{TREES}/{hq['id']}/leaves/{uses_change[0]['id']}/segment", headers=demo_bank.admin)
        assert res.status_code == 422 and res.json()["field"] == "node_id"


def test_each_split_condition_selects_exactly_its_side(demo_bank) -> None:
    """Both sides of a split on every kind of feature select the customers the matrix puts there, today."""
    platform, client, admin = demo_bank.platform, demo_bank.client, demo_bank.admin
    keys = ["age", "aum", "tenure_days", "days_since_login", "event:product_view", "event7:login", "txn:salary",
            "holding:基金", "gender", "tier", "income_band"]
    feats = [F.parse(k) for k in keys]
    fr = F.frame(platform.store, cutoff=ml.seg_service.today_of(platform), features=feats, scope=ml.SYSTEM.scope)
    x, columns, _ = F.encode(fr, feats)
    checked = 0
    for j, col in enumerate(columns):
        values = np.unique(x[:, j])
        if len(values) < 2:
            continue
        threshold = 0.5 if col[1] is not None else float((values[len(values) // 2 - 1] + values[len(values) // 2]) / 2)
        for greater in (False, True):
            cond = tr.step_condition(col, threshold, greater)
            est = client.post("/api/insight/segments/estimate", headers=admin,
                              json={"definition": cond.model_dump(mode="json", exclude_none=True)})
            assert est.status_code == 200, est.text
            expected = int((x[:, j] > threshold).sum() if greater else (x[:, j] <= threshold).sum())
            assert est.json()["count"] == expected, (col, threshold, greater)
            checked += 1
    assert checked >= 2 * len(keys)
    assert tr.step_text(("days_since_login", None), 20.5, True) == "距上次登录天数 ≥ 21"
    assert tr.step_text(("gender", "F"), 0.5, True) == "性别 = 女"
    assert tr.step_text(("holding:基金", None), 1234.5, False) == "持有基金余额 ≤ 1,234 元"


def test_tree_on_a_tag_value_target(app_client: TestClient, admin_headers, planted_bank, platform) -> None:
    """Target 'tag fund_fan = 是 at the end of the horizon': young customers mostly carry it."""
    res = app_client.post("/api/insight/tags", headers=admin_headers, json={
        "key": "fund_fan", "name": "基金迷", "family": "model", "rule": {"kind": "model", "value_type": "string"}})
    assert res.status_code == 201, res.text
    for day in (date(2026, 10, 21), date(2026, 11, 20)):  # the ends of the training and holdout horizons
        tags.write_values(platform=platform, key="fund_fan", day=day, values={
            c: ("是" if (age < 30) == (int(c[1:]) % 10 != 0) else "否") for c, age in planted_bank.items()})
    body = {"target_tag": "fund_fan", "target_value": "是", "features": ["age", "gender"], "max_depth": 2,
            "min_leaf": 20}
    tree = app_client.post(TREES, headers=admin_headers, json=body)
    assert tree.status_code == 201, tree.text
    root = tree.json()["nodes"][0]
    assert root["feature"] == "age" and 28.5 <= root["threshold"] <= 30.5
    assert tree.json()["metrics"]["auc"] > 0.8
    listed = app_client.get(TREES, headers=admin_headers).json()
    assert listed[0]["target"] == "fund_fan=是"
    both = app_client.post(TREES, headers=admin_headers, json={**body, "target": "fund_purchase"})
    assert both.status_code == 422
    unknown = app_client.post(TREES, headers=admin_headers, json={**body, "target_tag": "no_such_tag"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "target_tag"
