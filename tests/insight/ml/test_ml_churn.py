"""Churn warning: editable rules, held-out metrics on the demo's churners, model tags, the scoped warning list."""

from __future__ import annotations

from datetime import date, timedelta

from mofang.insight.catalogue import OPEN_END
from mofang.insight.ml import churn, tasks
from mofang.insight.ml.contracts import ChurnRules

CHURN = "/api/insight/ml/churn"


def test_rules_are_editable_validated_and_head_office_only(demo_bank) -> None:
    client, admin = demo_bank.client, demo_bank.admin
    assert client.get(CHURN, headers=admin).json()["rules"] == ChurnRules().model_dump()
    bad = client.put(f"{CHURN}/rules", headers=admin, json={**ChurnRules().model_dump(), "aum_drop_pct": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "aum_drop_pct"
    neither = client.put(f"{CHURN}/rules", headers=admin,
                         json={**ChurnRules().model_dump(), "use_aum_rule": False, "use_login_rule": False})
    assert neither.status_code == 422 and neither.json()["field"] == "use_aum_rule"
    changed = {**ChurnRules().model_dump(), "inactive_days": 45}
    assert client.put(f"{CHURN}/rules", headers=demo_bank.branch, json=changed).status_code == 403
    assert client.put(f"{CHURN}/rules", headers=admin, json=changed).status_code == 200
    assert client.get(CHURN, headers=admin).json()["rules"]["inactive_days"] == 45
    # A window longer than the data can hold out is refused at training, naming the rule to change.
    assert client.put(f"{CHURN}/rules", headers=admin, json={**changed, "window_days": 100}).status_code == 200
    too_long = client.post(f"{CHURN}/train", headers=admin)
    assert too_long.status_code == 422 and too_long.json()["field"] == "window_days"
    assert client.put(f"{CHURN}/rules", headers=admin, json=ChurnRules().model_dump()).status_code == 200


def test_training_is_held_out_in_time_and_finds_the_demo_churners(demo_bank) -> None:
    client, admin = demo_bank.client, demo_bank.admin
    assert client.post(f"{CHURN}/train", headers=demo_bank.branch).status_code == 403
    res = client.post(f"{CHURN}/train", headers=admin)
    assert res.status_code == 200, res.text
    body = res.json()
    m = body["metrics"]
    window = body["rules"]["window_days"]
    # Training labels end on or before the holdout cutoff; the holdout's labels fill the last window of data.
    assert all(date.fromisoformat(c) + timedelta(days=window) <= date.fromisoformat(m["holdout_cutoff"])
               for c in m["train_cutoffs"])
    assert m["holdout_end"] == "2026-11-20"
    assert m["holdout_churners"] > 20 and m["train_churners"] > 20
    assert m["auc"] > 0.7
    assert m["precision_top5"] > 2 * m["base_rate"] and m["lift_top5"] > 2
    assert m["top_features"] and m["top_features"][0]["label"]
    assert m["rules_used"] == body["rules"] and m["notes"] == []  # 120 days of data hold the 60-day rule
    assert body["scored_on"] == "2026-11-20"
    dist = {b["level"]: b["count"] for b in body["distribution"]}
    assert set(dist) == {"高", "中", "低"} and dist["高"] > 0 and dist["低"] > dist["中"] > 0

    # Scoring wrote model tag values for every customer.
    store = demo_bank.platform.store
    tags = {t["key"]: t["id"] for t in client.get("/api/insight/tags", headers=admin).json()}
    rows = store.query("SELECT tag_id, count(*) AS n, count(DISTINCT value) AS v FROM tag_values "
                       "WHERE tag_id IN (?, ?) AND valid_to = ? GROUP BY tag_id",
                       [tags["churn_risk"], tags["churn_score"], OPEN_END])
    customers = store.scalar("SELECT count(*) FROM customers")
    assert {r["tag_id"]: r["n"] for r in rows} == {tags["churn_risk"]: customers, tags["churn_score"]: customers}
    assert sum(dist.values()) == customers

    # The daily task scores a later day into the same tags, as a model run.
    report = tasks.score_churn_daily(demo_bank.platform, date(2026, 11, 21))
    assert report is not None and report.scored == customers and report.high + report.medium + report.low == customers
    runs = client.get(f"/api/insight/tags/{tags['churn_risk']}/runs", headers=admin).json()
    assert any(r["day"] == "2026-11-21" and r["trigger"] == "model" for r in runs)


def test_warning_list_is_scoped_masked_and_a_segment(demo_bank) -> None:
    client, admin, branch = demo_bank.client, demo_bank.admin, demo_bank.branch
    if client.get(CHURN, headers=admin).json()["model_id"] is None:
        assert client.post(f"{CHURN}/train", headers=admin).status_code == 200
    everyone = client.get(f"{CHURN}/customers?limit=500", headers=admin).json()
    mine = client.get(f"{CHURN}/customers?limit=500", headers=branch).json()
    assert 0 < mine["total"] < everyone["total"]
    assert all(c["org_code"] == "GD" or c["org_code"].startswith("GD-") for c in mine["items"])
    assert all(c["risk"] == "高" for c in mine["items"])
    scores = [c["score"] for c in everyone["items"]]
    assert scores == sorted(scores, reverse=True)
    assert all("*" in (c["phone"] or "*") for c in mine["items"])
    branch_view = client.get(CHURN, headers=branch).json()
    branch_dist = {b["level"]: b["count"] for b in branch_view["distribution"]}
    assert branch_dist["高"] == mine["total"]
    # The bank-wide model's held-out rows and rates describe every branch's customers: head office's only.
    assert branch_view["model_id"] is not None and branch_view["metrics"] is None
    assert client.get(f"{CHURN}/customers?level=极高", headers=branch).json()["field"] == "level"

    seg = client.post(f"{CHURN}/segment", headers=branch)
    assert seg.status_code == 201, seg.text
    assert seg.json()["owner_org"] == "GD"
    members = client.get(f"/api/insight/segments/{seg.json()['id']}/members?limit=1", headers=branch).json()
    assert members["total"] == mine["total"]
    again = client.post(f"{CHURN}/segment", headers=branch).json()
    assert again["id"] == seg.json()["id"]


def test_short_data_shortens_the_inactivity_rule_and_says_so() -> None:
    rules = ChurnRules()
    assert churn.effective_rules(rules, span_days=120) == (rules, [])
    used, notes = churn.effective_rules(rules, span_days=90)
    assert used.inactive_days == 30 and used.use_login_rule and "90 天" in notes[0]
    used, notes = churn.effective_rules(rules, span_days=65)
    assert not used.use_login_rule and used.use_aum_rule and "只用 AUM 规则" in notes[0]
    off = rules.model_copy(update={"use_login_rule": False})
    assert churn.effective_rules(off, span_days=65) == (off, [])
