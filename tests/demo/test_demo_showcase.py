"""`mofang seed` leaves a first visit something on every page: segments with history, a set shared with the
Guangdong branch, metrics with alert rules and their real history, and a shared dashboard — and only once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mofang.app import create_app
from mofang.cli import app as cli_app
from mofang.demo import showcase_content, showcase_journeys
from mofang.demo import showcase_specs as spec
from mofang.demo.directory import DEMO_PASSWORD
from mofang.demo.showcase import prepare_showcase, snapshot_days
from mofang.insight.segments import today_of
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import UserCreate
from mofang.platform.settings import Settings

SEED = ["--customers", "1500", "--days", "60"]


@dataclass
class Seeded:
    """The seeded data dir served by the app, and what the console showed before and after seeding again."""

    client: TestClient
    platform: Platform
    seed_output: str
    reseed_output: str
    first: dict[str, Any]
    after_rerun: dict[str, Any]
    after_reseed: dict[str, Any]
    rerun_lines: list[str]
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str) -> dict[str, str]:
        """Log a demo user in (once per opening of the data dir)."""
        if username not in self.tokens:
            res = self.client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert res.status_code == 200, res.text
            self.tokens[username] = res.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, username: str, url: str, **params: Any) -> Any:
        """GET as a demo user, expecting 200."""
        res = self.client.get(url, headers=self.headers(username), params=params)
        assert res.status_code == 200, res.text
        return res.json()

    def post(self, username: str, url: str, body: dict[str, Any] | None = None) -> Any:
        """POST as a demo user, expecting 200."""
        res = self.client.post(url, headers=self.headers(username), json=body)
        assert res.status_code == 200, res.text
        return res.json()


def _open(data_dir: Path) -> tuple[Platform, TestClient]:
    # One login serves the module; on a slow CI box its tests outlast the 15-minute access token.
    settings = Settings(data_dir=data_dir, start_background=True, scheduler=False, token_ttl_minutes=240)
    platform = open_platform(settings)
    client = TestClient(create_app(settings, platform=platform))
    client.__enter__()
    return platform, client


def _close(platform: Platform, client: TestClient) -> None:
    client.__exit__(None, None, None)
    platform.close()


def _state(s: Seeded) -> dict[str, Any]:
    """Everything the showcase creates, as the admin console lists it."""
    segs = s.get("admin", "/api/insight/segments")["items"]
    return {
        "segments": [(x["id"], x["name"], x["owner_org"], x["version"], x["last_count"]) for x in segs],
        "snapshots": {x["id"]: s.get("admin", f"/api/insight/segments/{x['id']}/snapshots") for x in segs},
        "sets": [(x["id"], x["name"], x["shared_with"], x["reference_count"], [g["id"] for g in x["segments"]])
                 for x in s.get("admin", "/api/insight/segment-sets")],
        "metrics": [(m["id"], m["key"]) for m in s.get("admin", "/api/monitor/metrics")],
        "rules": [(r["id"], r["name"]) for r in s.get("admin", "/api/monitor/alert-rules")],
        "alerts": [(a["id"], a["day"], a["value"]) for a in s.get("admin", "/api/monitor/alerts", limit=500)],
        "analyses": [(a["id"], a["name"]) for a in s.get("admin", "/api/analytics/saved")],
        "dashboards": [(d["id"], d["name"], [i["analysis_id"] for i in d["items"]])
                       for d in s.get("admin", "/api/dashboards")],
        "templates": [(t["id"], t["name"], t["channel"], t["status"], t["version"])
                      for t in s.get("admin", "/api/reach/templates")],
    }


def _seed(data_dir: Path) -> str:
    result = CliRunner().invoke(cli_app, ["seed", "--data-dir", str(data_dir), *SEED])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A bank seeded by the command line, the showcase run a second time directly, then seeded again."""
    data_dir = tmp_path_factory.mktemp("showcase") / "data"
    seed_output = _seed(data_dir)
    platform, client = _open(data_dir)
    s = Seeded(client, platform, seed_output, "", {}, {}, {}, [])
    s.first = _state(s)
    s.rerun_lines = prepare_showcase(platform=platform, end=today_of(platform))
    s.after_rerun = _state(s)
    _close(platform, client)
    s.reseed_output = _seed(data_dir)  # the command opens the data dir itself: DuckDB admits one writer
    s.platform, s.client = _open(data_dir)
    s.tokens.clear()
    s.after_reseed = _state(s)
    yield s
    _close(s.platform, s.client)


def _segment(s: Seeded, user: str, name: str) -> dict[str, Any]:
    return next(x for x in s.get(user, "/api/insight/segments")["items"] if x["name"] == name)


def test_seeding_prints_the_showcase_and_a_second_seed_changes_nothing(seeded: Seeded) -> None:
    assert "showcase segments snapshotted on 5 days" in seeded.seed_output
    assert "showcase dashboard '经营概览': 6 analyses pinned" in seeded.seed_output
    assert seeded.rerun_lines == []  # everything found by name: nothing created, nothing re-evaluated
    assert seeded.after_rerun == seeded.first
    assert "showcase" not in seeded.reseed_output
    assert seeded.after_reseed == seeded.first
    # The showcase segments, and the two the demo strategies enter from.
    assert len(seeded.first["segments"]) == len(spec.SEGMENTS) + len(showcase_journeys.OWN_SEGMENTS)
    assert len(seeded.first["sets"]) == 1 and len(seeded.first["dashboards"]) == 1


def test_content_library_has_an_active_template_per_channel_shared_with_branches(seeded: Seeded) -> None:
    assert "showcase content library: 8 templates (one per channel) shared with the bank" in seeded.seed_output
    # One per channel, and those the demo strategies send.
    assert len(seeded.first["templates"]) == 8 + len(showcase_content.JOURNEY_TEMPLATES)
    shown = seeded.get("sz_ops", "/api/reach/templates")
    assert {t["channel"] for t in shown} == {"sms", "push", "inbox", "wechat", "email", "call", "rm_task"}
    assert all(t["status"] == "active" and not t["owned"] for t in shown)
    dormant = next(t for t in shown if t["name"] == "沉睡客户唤醒短信")
    assert dormant["sms"]["parts"] == 2 and dormant["content"]["body"].endswith("回T退订")
    mine = seeded.get("rm_demo", "/api/customers", limit=1)["items"][0]
    preview = seeded.post("rm_demo", f"/api/reach/templates/{dormant['id']}/preview",
                          {"customer_id": mine["customer_id"]})
    assert preview["body"].startswith(f"【魔方银行】{mine['name'][0]}")  # the surname, then 先生/女士


def test_hq_segments_have_members_live_and_weekly_snapshots(seeded: Seeded) -> None:
    mine = {x["name"]: x for x in seeded.get("hq_ops", "/api/insight/segments")["items"]}
    hq = [s.name for s in spec.SEGMENTS if s.owner == "hq_ops"]
    assert set(hq) <= set(mine)
    fund = mine[spec.FUND_INTENT]
    assert fund["kind"] == "dynamic" and fund["owner_org"] == "HQ" and fund["created_by"] == "hq_ops"
    estimate = seeded.post("hq_ops", "/api/insight/segments/estimate", {"definition": fund["definition"]})
    assert estimate["count"] > 0 and estimate["total"] == 1500
    members = seeded.get("hq_ops", f"/api/insight/segments/{fund['id']}/members", limit=5)
    assert members["total"] == estimate["count"] == fund["last_count"]
    today = today_of(seeded.platform)
    for name in hq:
        days = [s["day"] for s in seeded.get("hq_ops", f"/api/insight/segments/{mine[name]['id']}/snapshots")]
        assert sorted(days) == [d.isoformat() for d in snapshot_days(today)], name
    assert mine["新客首月未激活"]["last_count"] > 0
    assert mine["理财30天内到期客户"]["last_count"] > 0


def test_flows_by_segment_compare_the_oldest_and_newest_snapshot(seeded: Seeded) -> None:
    ids = [_segment(seeded, "hq_ops", n)["id"] for n in (spec.FUND_INTENT, "新客首月未激活", "理财30天内到期客户")]
    days = snapshot_days(today_of(seeded.platform))
    flow = seeded.post("hq_ops", "/api/insight/flows", {"segment_ids": ids, "start": days[0].isoformat(),
                                                         "end": days[-1].isoformat()})
    assert sum(flow["start_sizes"].values()) > 0 and sum(flow["end_sizes"].values()) > 0
    assert flow["end_sizes"][spec.FUND_INTENT] == _segment(seeded, "hq_ops", spec.FUND_INTENT)["last_count"]


def test_branch_segment_is_guangdong_only(seeded: Seeded) -> None:
    branch = _segment(seeded, "gd_ops", "广东代发工资未购理财客户")
    assert branch["owner_org"] == "GD" and branch["last_count"] > 0 and branch["editable"]
    members = seeded.get("gd_ops", f"/api/insight/segments/{branch['id']}/members", limit=50)
    assert members["total"] == branch["last_count"]
    assert all(m["org_code"].startswith("GD-") for m in members["items"])
    # HQ's own segments outside the shared set stay HQ's.
    assert "新客首月未激活" not in {x["name"] for x in seeded.get("gd_ops", "/api/insight/segments")["items"]}


def _outsider(platform: Platform) -> str:
    """An operator of the Zhejiang branch (not a demo user: every branch demo user sits under Guangdong)."""
    with platform.metadata.session() as session:
        if not any(u.username == "zj_ops" for u in gov.list_users(session=session)):
            gov.create_user(session=session, actor="test", data=UserCreate(
                username="zj_ops", password=DEMO_PASSWORD, role="branch_operator", org_code="ZJ"))
    return "zj_ops"


def test_segment_set_is_shared_with_guangdong_and_referenced_there(seeded: Seeded) -> None:
    owned = next(x for x in seeded.get("hq_ops", "/api/insight/segment-sets") if x["name"] == spec.SET_NAME)
    assert owned["owned"] and owned["shared_with"] == ["GD"] and owned["reference_count"] == 1
    assert [g["name"] for g in owned["segments"]] == list(spec.SET_SEGMENTS)
    assert "基金意向客户" in owned["strategy"] and "沉睡" in owned["strategy"]
    received = next(x for x in seeded.get("gd_ops", "/api/insight/segment-sets") if x["name"] == spec.SET_NAME)
    assert not received["owned"] and received["referenced_by_me"]
    detail = seeded.get("gd_ops", f"/api/insight/segment-sets/{received['id']}")
    # Counted inside Guangdong's scope: no more than the whole bank has.
    whole = {g["name"]: g["count"] for g in seeded.get("hq_ops", f"/api/insight/segment-sets/{owned['id']}")[
        "segments"]}
    assert all(0 <= g["count"] <= whole[g["name"]] for g in detail["segments"])
    # Shenzhen lies under Guangdong, so it receives the set too; another province does not.
    assert spec.SET_NAME in {x["name"] for x in seeded.get("sz_ops", "/api/insight/segment-sets")}
    outsider = _outsider(seeded.platform)
    assert spec.SET_NAME not in {x["name"] for x in seeded.get(outsider, "/api/insight/segment-sets")}
    res = seeded.client.get(f"/api/insight/segment-sets/{owned['id']}", headers=seeded.headers(outsider))
    assert res.status_code == 404


def test_metrics_measure_the_bank_and_alerts_are_real_evaluations(seeded: Seeded) -> None:
    metrics = {m["key"]: m for m in seeded.get("analyst", "/api/monitor/metrics")}
    assert {m.key for m in spec.METRICS} <= set(metrics)
    today = today_of(seeded.platform)
    for key in ("daily_active_customers", "fund_purchase_amount"):
        value = seeded.get("analyst", f"/api/monitor/metrics/{metrics[key]['id']}/value", day=today.isoformat())
        assert value["value"] > 0, key
    rules = {r["name"]: r for r in seeded.get("analyst", "/api/monitor/alert-rules")}
    assert {r.name for r in spec.RULES} <= set(rules)
    assert {rules[r.name]["severity"] for r in spec.RULES} == {"warning", "critical"}
    assert rules["日活跃客户数异常波动"]["op"] == "anomaly"
    assert all(not r["emails"] and r["webhook_url"] is None for r in rules.values())
    by_id = {r["id"]: r for r in rules.values()}
    for alert in seeded.get("analyst", "/api/monitor/alerts", limit=500):
        rule = by_id[alert["rule_id"]]
        assert date.fromisoformat(alert["day"]) <= today and alert["notifications"] == {}
        if rule["op"] == "change_lt":  # the stored value is what the metric measures for that day
            value = seeded.get("analyst", f"/api/monitor/metrics/{rule['metric_id']}/value", day=alert["day"])
            assert (value["value"], value["previous"]) == (alert["value"], alert["previous"])
            assert value["value"] < value["previous"] * 0.7


def test_shared_dashboard_runs_every_pinned_analysis(seeded: Seeded) -> None:
    board = next(d for d in seeded.get("analyst", "/api/dashboards") if d["name"] == spec.DASHBOARD_NAME)
    assert board["shared"] and board["owner"] == "analyst"
    assert [i["analysis"]["name"] for i in board["items"]] == [a.name for a in spec.ANALYSES]
    results = {}
    for item in board["items"]:
        assert item["analysis"]["range"]["kind"] == "last_days"
        results[item["analysis"]["model"] + ":" + item["analysis"]["name"]] = seeded.post(
            "analyst", f"/api/analytics/saved/{item['analysis_id']}/run")["result"]
    logins = results["trends:近30天登录趋势"]
    assert len(logins["buckets"]) == 30 and all(line["total"] > 0 for line in logins["lines"])
    funnel = results["funnel:基金购买转化漏斗"]["overall"]["steps"]
    assert [s["event"] for s in funnel] == ["app_start", "login", "product_view", "fund_purchase"]
    assert funnel[0]["customers"] >= funnel[1]["customers"] >= funnel[2]["customers"] > 0
    assert results["retention:登录7日留存"]["cohorts"]
    assert results["rfm:RFM客户价值概览"]["customers"] > 0
    assert results["distribution:近30天登录次数分布"]["customers"] > 0
    # Shared: a branch operator sees the board and runs it over Guangdong only.
    gd_board = next(d for d in seeded.get("gd_ops", "/api/dashboards") if d["name"] == spec.DASHBOARD_NAME)
    gd_rfm = seeded.post("gd_ops", f"/api/analytics/saved/{gd_board['items'][3]['analysis_id']}/run")["result"]
    assert 0 < gd_rfm["customers"] < results["rfm:RFM客户价值概览"]["customers"]


def test_the_side_panel_finds_a_trained_propensity_model_and_best_hours(seeded: Seeded) -> None:
    model = seeded.get("admin", "/api/strategies/models/propensity", event="fund_purchase")
    assert model["trained"] and model["scored"] == model["customers"] > 0
    assert model["metrics"]["auc"] > 0.6 and model["metrics"]["holdout_positives"] > 0
    coverage = seeded.get("admin", "/api/strategies/models/best-time")
    assert 0 < coverage["known"] <= coverage["customers"]
    assert "showcase smart nodes" in seeded.seed_output
