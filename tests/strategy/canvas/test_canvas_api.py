"""Strategies over HTTP: drafts, versions, validation naming nodes, lifecycle with the engine facade, scope, audit."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mofang.platform.context import Platform
from mofang.platform.governance import service as gov
from mofang.platform.settings import Settings
from mofang.strategy.canvas import service as canvas

Headers = dict[str, str]
AUM = {"type": "attribute", "field": "aum", "op": "gte", "value": 50000}


def journey(template_id: int = 11, segment_id: int | None = None) -> dict[str, Any]:
    entry = ({"id": "start", "type": "segment_entry", "segment_id": segment_id} if segment_id
             else {"id": "start", "type": "event_entry", "event": "login"})
    return {
        "nodes": [entry,
                  {"id": "rich", "type": "condition_split", "branches": [{"label": "rich", "condition": dict(AUM)}]},
                  {"id": "push", "type": "send", "channel": "push", "template_id": template_id},
                  {"id": "buy", "type": "wait_event", "event": "fund_purchase", "within_seconds": 259200},
                  {"id": "goal", "type": "goal", "event": "fund_purchase"},
                  {"id": "end", "type": "exit"}],
        "edges": [{"source": "start", "target": "rich"}, {"source": "rich", "target": "push", "label": "rich"},
                  {"source": "rich", "target": "end", "label": "else"}, {"source": "push", "target": "buy"},
                  {"source": "buy", "target": "goal", "label": "did"},
                  {"source": "buy", "target": "end", "label": "timeout"}],
        "settings": {"business_line": "wealth", "priority": 50, "holdout_percent": 10},
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test on the embedded SQLite metadata DB and on PostgreSQL (when MOFANG_TEST_POSTGRES_URL is set)."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", start_background=True, scheduler=False, metadata_url=url)


@pytest.fixture
def users(make_user: Callable[..., str], login: Callable[[str], Headers]) -> dict[str, Headers]:
    spec = {"root": ("admin", "HQ"), "sz_ops": ("branch_operator", "GD-SZ"), "gz_ops": ("branch_operator", "GD-GZ"),
            "gd_ops": ("branch_operator", "GD"), "sz_ana": ("analyst", "GD-SZ"), "sz_appr": ("approver", "GD-SZ")}
    return {name: login(make_user(name, role, org)) for name, (role, org) in spec.items()}


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The runtime's facade, recorded (the real one is merged by the lead)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    import mofang.strategy.engine as facade

    monkeypatch.setattr(facade, "activate", lambda **kw: calls.append(("activate", kw)), raising=False)
    monkeypatch.setattr(facade, "deactivate", lambda **kw: calls.append(("deactivate", kw)), raising=False)
    return calls


@pytest.fixture
def templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reach centre with two templates (push 11 for GD-SZ only, sms 12 for everyone)."""
    fake = types.ModuleType("fake_reach")

    def list_templates(*, platform: Platform, org_code: str) -> list[dict[str, Any]]:
        del platform
        rows = [{"id": 12, "name": "短信模板", "channel": "sms"}]
        return rows + ([{"id": 11, "name": "基金推荐推送", "channel": "push"}] if org_code.startswith("GD-SZ") else [])

    fake.list_templates = list_templates  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_reach", fake)
    monkeypatch.setattr(canvas, "TEMPLATE_SOURCE", ("fake_reach", "list_templates"))


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.metadata.session() as session:
        items, _ = gov.list_audit(session=session, limit=100, offset=0, action=action)
    return [{"user": e.username, "target": e.target_id, "detail": e.detail} for e in items]


def test_draft_validate_publish_edit_and_republish(app_client: TestClient, users: dict[str, Headers],
                                                   engine: list[Any], templates: None, platform: Platform) -> None:
    h = users["sz_ops"]
    draft = journey()
    draft["edges"] = draft["edges"][:-1]  # buy/timeout missing: a warning only
    made = app_client.post("/api/strategies", headers=h,
                           json={"name": "基金意向转化", "graph": {"nodes": draft["nodes"][:2]}})
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert made.json()["owner_org"] == "GD-SZ" and made.json()["status"] == "draft" and made.json()["has_draft"]

    # An incomplete draft saves; validation names what is missing.
    saved = app_client.put(f"/api/strategies/{sid}", headers=h, json={"graph": draft})
    assert saved.status_code == 200 and saved.json()["current_version"] == 1
    res = app_client.post(f"/api/strategies/{sid}/validate", headers=h).json()
    assert res["ok"] is True
    assert [(p["node_id"], p["code"], p["severity"]) for p in res["problems"]] == [
        ("buy", "strategy.dangling_branch", "warning")]
    broken = journey(template_id=12)  # an sms template on a push node
    res = app_client.post(f"/api/strategies/{sid}/validate", headers=h, json=broken).json()
    assert res["ok"] is False and res["problems"][0]["node_id"] == "push"

    app_client.put(f"/api/strategies/{sid}", headers=h, json={"graph": broken})
    refused = app_client.post(f"/api/strategies/{sid}/publish", headers=h)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "strategy.invalid" and body["field"] == "nodes.push.template_id"
    assert [(p["node_id"], p["code"]) for p in body["params"]["problems"]] == [("push", "strategy.unknown_template")]
    assert engine == [] and app_client.get(f"/api/strategies/{sid}", headers=h).json()["status"] == "draft"

    app_client.put(f"/api/strategies/{sid}", headers=h, json={"graph": journey()})
    published = app_client.post(f"/api/strategies/{sid}/publish", headers=h, json={"note": "上线"})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_version"] == 1
    assert not published.json()["has_draft"]
    (kind, call), = engine
    assert kind == "activate" and call["strategy_id"] == sid and call["version"] == 1
    assert call["org_code"] == "GD-SZ" and call["migrate_instances"] is False
    assert call["graph"].settings.holdout_percent == 10 and call["graph"].nodes[2].template_id == 11
    again = app_client.post(f"/api/strategies/{sid}/publish", headers=h)
    assert again.status_code == 409 and again.json()["code"] == "strategy.nothing_to_publish"

    # Editing a running strategy makes version 2; version 1 keeps running until 2 is published.
    edited = journey()
    edited["nodes"][1]["branches"][0]["condition"]["value"] = 100000
    v2 = app_client.put(f"/api/strategies/{sid}", headers=h, json={"graph": edited, "note": "提高门槛"}).json()
    assert (v2["current_version"], v2["published_version"], v2["status"], v2["has_draft"]) == (2, 1, "published", True)
    app_client.put(f"/api/strategies/{sid}", headers=h, json={"graph": edited})
    assert app_client.get(f"/api/strategies/{sid}", headers=h).json()["current_version"] == 2
    v3 = app_client.post(f"/api/strategies/{sid}/publish", headers=h, json={"migrate_instances": True}).json()
    assert v3["published_version"] == 2 and engine[-1][1]["migrate_instances"] is True
    versions = app_client.get(f"/api/strategies/{sid}/versions", headers=h).json()
    assert [(v["version"], v["published_at"] is not None, v["note"]) for v in versions] == [
        (2, True, "提高门槛"), (1, True, "上线")]
    old = app_client.get(f"/api/strategies/{sid}/versions/1", headers=h).json()
    assert old["graph"]["nodes"][1]["branches"][0]["condition"]["value"] == 50000
    assert app_client.get(f"/api/strategies/{sid}/versions/9", headers=h).status_code == 404
    assert [a["detail"]["version"] for a in _audit(platform, "strategy.publish")] == [2, 1]


def test_lifecycle_transitions_call_the_engine_and_are_audited(app_client: TestClient, users: dict[str, Headers],
                                                               engine: list[Any], templates: None,
                                                               platform: Platform) -> None:
    h = users["sz_ops"]
    sid = app_client.post("/api/strategies", headers=h, json={"name": "沉睡唤醒", "graph": journey()}).json()["id"]
    bad = app_client.post(f"/api/strategies/{sid}/pause", headers=h)
    assert bad.status_code == 409 and bad.json()["code"] == "strategy.bad_transition"
    app_client.post(f"/api/strategies/{sid}/publish", headers=h)
    for action, status in (("pause", "paused"), ("resume", "published"), ("pause", "paused"), ("stop", "stopped"),
                           ("archive", "archived")):
        res = app_client.post(f"/api/strategies/{sid}/{action}", headers=h)
        assert res.status_code == 200 and res.json()["status"] == status, res.text
    assert [(k, c.get("mode")) for k, c in engine] == [("activate", None), ("deactivate", "pause"),
                                                       ("deactivate", "resume"), ("deactivate", "pause"),
                                                       ("deactivate", "stop")]
    assert app_client.put(f"/api/strategies/{sid}", headers=h, json={"name": "x"}).json()["code"] == \
        "strategy.not_editable"
    assert [a["detail"] for a in _audit(platform, "strategy.stop")] == [{"from": "paused", "to": "stopped"}]
    assert len(_audit(platform, "strategy.pause")) == 2


def test_publishing_without_the_runtime_still_records_the_version(app_client: TestClient,
                                                                  users: dict[str, Headers], templates: None) -> None:
    h = users["sz_ops"]
    sid = app_client.post("/api/strategies", headers=h, json={"name": "无引擎", "graph": journey()}).json()["id"]
    res = app_client.post(f"/api/strategies/{sid}/publish", headers=h)
    assert res.status_code == 200 and res.json()["published_version"] == 1


def test_roles_analysts_and_approvers_read_operators_publish(app_client: TestClient, users: dict[str, Headers],
                                                             templates: None) -> None:
    sid = app_client.post("/api/strategies", headers=users["sz_ops"],
                          json={"name": "a", "graph": journey()}).json()["id"]
    for reader in ("sz_ana", "sz_appr"):
        assert app_client.get(f"/api/strategies/{sid}", headers=users[reader]).status_code == 200
        assert app_client.post(f"/api/strategies/{sid}/publish", headers=users[reader]).status_code == 403
        assert app_client.post("/api/strategies", headers=users[reader], json={"name": "b"}).status_code == 403
    listed = app_client.get("/api/admin/roles", headers=users["root"]).json()["items"]
    roles = {r["id"]: r["permissions"] for r in listed}
    assert "strategy:publish" in roles["branch_operator"] and "strategy:publish" in roles["hq_operator"]
    assert "strategy:publish" not in roles["analyst"] and "strategy:publish" not in roles["approver"]


def test_a_branch_sees_its_subtree_and_uses_only_segments_visible_to_it(
        app_client: TestClient, users: dict[str, Headers], templates: None) -> None:
    rich = {"type": "attribute", "field": "aum", "op": "gt", "value": 1000}
    gz_seg = app_client.post("/api/insight/segments", headers=users["gz_ops"], json={
        "name": "广州有资产", "kind": "dynamic", "definition": rich}).json()["id"]
    sz_seg = app_client.post("/api/insight/segments", headers=users["sz_ops"], json={
        "name": "深圳有资产", "kind": "dynamic", "definition": rich}).json()["id"]
    sz = app_client.post("/api/strategies", headers=users["sz_ops"], json={"name": "深圳策略"}).json()["id"]
    gz = app_client.post("/api/strategies", headers=users["gz_ops"], json={"name": "广州策略"}).json()["id"]
    names = lambda who: {s["name"] for s in app_client.get("/api/strategies", headers=users[who]).json()}  # noqa: E731
    assert names("sz_ops") == {"深圳策略"} and names("gz_ops") == {"广州策略"}
    assert names("gd_ops") == names("root") == {"深圳策略", "广州策略"}
    assert app_client.get(f"/api/strategies/{gz}", headers=users["sz_ops"]).status_code == 404
    assert app_client.put(f"/api/strategies/{gz}", headers=users["sz_ops"], json={"name": "x"}).status_code == 404
    assert app_client.post(f"/api/strategies/{gz}/publish", headers=users["sz_ops"]).status_code == 404

    cat = app_client.get("/api/strategies/catalogue", headers=users["sz_ops"]).json()
    assert {s["id"] for s in cat["segments"]} == {sz_seg}
    assert cat["templates"]["push"] == [{"id": 11, "name": "基金推荐推送"}] and cat["templates"]["email"] == []
    assert "login" in {e["name"] for e in cat["events"]} and "aum" in {a["key"] for a in cat["attributes"]}
    # Head office editing the Guangzhou strategy gets Guangzhou's pick-lists.
    owner = app_client.get("/api/strategies/catalogue", headers=users["root"], params={"strategy_id": gz}).json()
    assert owner["owner_org"] == "GD-GZ" and {s["id"] for s in owner["segments"]} == {gz_seg}

    res = app_client.post(f"/api/strategies/{sz}/validate", headers=users["sz_ops"],
                          json=journey(segment_id=gz_seg)).json()
    assert ("start", "segment_id", "strategy.unknown_segment") in {
        (p["node_id"], p["field"], p["code"]) for p in res["problems"]}
    assert app_client.post(f"/api/strategies/{sz}/validate", headers=users["sz_ops"],
                           json=journey(segment_id=sz_seg)).json()["ok"] is True


def test_hostile_graphs_are_refused_or_reported_never_a_server_error(app_client: TestClient,
                                                                     users: dict[str, Headers]) -> None:
    h = users["sz_ops"]
    sid = app_client.post("/api/strategies", headers=h, json={"name": "x"}).json()["id"]
    for graph in ({"nodes": [{"id": 5, "type": None}], "edges": [{"source": []}]},
                  {"nodes": [{"type": "send", "template_id": 2**70}]}, {"nodes": [], "settings": {"priority": "x"}},
                  {"nodes": [{"id": "a", "type": "event_entry", "event": "login", "filters": "nope"}]}):
        res = app_client.post(f"/api/strategies/{sid}/validate", headers=h, json=graph)
        assert res.status_code == 422 or (res.status_code == 200 and res.json()["ok"] is False), res.text
    assert app_client.post("/api/strategies", headers=h, json={"name": "", "graph": []}).status_code == 422


def test_an_engine_failure_leaves_the_strategy_as_it_was(app_client: TestClient, users: dict[str, Headers],
                                                         templates: None, platform: Platform,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import mofang.strategy.engine as facade

    def broken(**_kw: Any) -> None:
        raise RuntimeError("engine down")

    monkeypatch.setattr(facade, "activate", broken, raising=False)
    monkeypatch.setattr(facade, "deactivate", broken, raising=False)
    h = users["sz_ops"]
    sid = app_client.post("/api/strategies", headers=h, json={"name": "x", "graph": journey()}).json()["id"]
    res = app_client.post(f"/api/strategies/{sid}/publish", headers=h)
    assert res.status_code == 503 and res.json()["code"] == "strategy.engine_failed"
    after = app_client.get(f"/api/strategies/{sid}", headers=h).json()
    assert (after["status"], after["published_version"], after["has_draft"]) == ("draft", None, True)
    assert [a["detail"] for a in _audit(platform, "strategy.publish_failed")] == [{"error": "RuntimeError"}]

    monkeypatch.setattr(facade, "activate", lambda **_kw: None)
    assert app_client.post(f"/api/strategies/{sid}/publish", headers=h).json()["status"] == "published"
    assert app_client.post(f"/api/strategies/{sid}/pause", headers=h).status_code == 503
    assert app_client.get(f"/api/strategies/{sid}", headers=h).json()["status"] == "published"


def test_the_maker_checker_hook_can_hold_publishing(app_client: TestClient, users: dict[str, Headers],
                                                    templates: None, monkeypatch: pytest.MonkeyPatch) -> None:
    h = users["sz_ops"]
    sid = app_client.post("/api/strategies", headers=h, json={"name": "x", "graph": journey()}).json()["id"]
    monkeypatch.setattr(canvas, "approval_required", lambda **_kw: True)
    res = app_client.post(f"/api/strategies/{sid}/publish", headers=h)
    assert res.status_code == 409 and res.json()["code"] == "strategy.approval_required"
    assert app_client.get(f"/api/strategies/{sid}", headers=h).json()["status"] == "draft"


def test_the_engine_reads_running_strategies_and_their_versions(app_client: TestClient, users: dict[str, Headers],
                                                                templates: None, engine: list[Any],
                                                                platform: Platform) -> None:
    from mofang.strategy import canvas as facade

    h = users["sz_ops"]
    live = app_client.post("/api/strategies", headers=h, json={"name": "a", "graph": journey()}).json()["id"]
    app_client.post(f"/api/strategies/{live}/publish", headers=h)
    app_client.put(f"/api/strategies/{live}", headers=h, json={"graph": journey(template_id=12)})  # a draft v2
    paused = app_client.post("/api/strategies", headers=h, json={"name": "b", "graph": journey()}).json()["id"]
    app_client.post(f"/api/strategies/{paused}/publish", headers=h)
    app_client.post(f"/api/strategies/{paused}/pause", headers=h)
    app_client.post("/api/strategies", headers=h, json={"name": "c", "graph": journey()})  # never published
    with platform.metadata.session() as session:
        found = {(r.strategy_id, r.version, r.status, r.org_code) for r in facade.running(session=session)}
        graph = facade.graph_of(session=session, strategy_id=live, version=1)
        with pytest.raises(Exception, match="no published version 2"):
            facade.graph_of(session=session, strategy_id=live, version=2)
    assert found == {(live, 1, "published", "GD-SZ"), (paused, 1, "paused", "GD-SZ")}
    assert graph.nodes[2].template_id == 11  # the running version, not the draft
