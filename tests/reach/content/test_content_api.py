"""The content library over HTTP: save with validation, versions, head office sharing with branches, scoped and
masked previews, the sensitive-word list, and the render facade the delivery service calls."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from factories import add_customers, add_rms
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid
from mofang.platform.governance import auth
from mofang.platform.governance import service as gov
from mofang.reach.content import get_template, list_templates, render
from mofang.reach.content.service import catalogue

SMS = {"name": "基金定投权益提醒", "channel": "sms", "purpose": "marketing", "scenes": ["基金意向"],
       "products": ["基金"], "personas": ["专业严谨·投资研究"],
       "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}您好，您的{{权益.面额}}元基金定投券已到账，"
                           "{{链接}} 回T退订", "links": {"link": "https://m.bank.cn/fund"}}}
PUSH = {"name": "沉睡唤醒推送", "channel": "push", "purpose": "marketing", "scenes": ["沉睡唤醒"],
        "content": {"title": "好久不见", "body": "{{客户.姓氏}}{{客户.称谓}}，您有一份礼包待领取"}}


@pytest.fixture
def bank(platform: Platform) -> None:
    add_rms(platform, {"RM-SZ": ("刘经理", "GD-SZ-001")})
    add_customers(platform, {
        "S01": {"name": "王小明", "gender": "M", "org_code": "GD-SZ-001", "rm_id": "RM-SZ", "tier": "财富"},
        "S02": {"name": "赵敏", "gender": "F", "org_code": "GD-SZ-001"},
        "G01": {"name": "陈大文", "gender": "F", "org_code": "GD-GZ-001"},
    })


@pytest.fixture
def users(monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., str], login: Callable[[str], dict[str, str]]
          ) -> dict[str, dict[str, str]]:
    # Seven logins per test need not cost seconds of Argon2 each (the hash records its own parameters).
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    spec = {"root": ("admin", "HQ", None), "hq": ("hq_operator", "HQ", None), "sz": ("branch_operator", "GD-SZ", None),
            "gz": ("branch_operator", "GD-GZ", None), "zj": ("branch_operator", "ZJ", None),
            "rm": ("rm", "GD-SZ-001", "RM-SZ"), "ana": ("analyst", "HQ", None)}
    return {k: login(make_user(k, role, org, rm)) for k, (role, org, rm) in spec.items()}


def test_save_validates_and_refuses_without_writing(app_client: TestClient, users) -> None:
    hq = users["hq"]
    made = app_client.post("/api/reach/templates", json=SMS, headers=hq)
    assert made.status_code == 201, made.text
    t = made.json()
    assert (t["status"], t["version"], t["owner_org"], t["owned"]) == ("draft", 1, "HQ", True)
    assert t["variables"] == ["customer.surname", "customer.salutation", "benefit.amount", "link"]
    assert t["sms"] == {"encoding": "UCS-2", "characters": 6 + 2 + 2 + 5 + 8 + 10 + 25 + 5, "parts": 1}

    bad = {**SMS, "content": {**SMS["content"], "body": "【魔方银行】本基金保本稳赚 回T退订"}}
    res = app_client.post("/api/reach/templates", json=bad, headers=hq)
    assert res.status_code == 422
    assert res.json() == {"detail": res.json()["detail"], "field": "content.body", "code": "content.sensitive_word",
                          "params": {"field": "body", "word": "保本", "position": 9}}
    unknown = {**SMS, "content": {"body": "【魔方银行】{{客户.身份证号}} 回T退订"}}
    res = app_client.post("/api/reach/templates", json=unknown, headers=hq)
    assert res.status_code == 422 and res.json()["code"] == "content.unknown_variable"
    assert res.json()["params"]["position"] == 6
    persona = {**SMS, "personas": ["随便"]}
    assert app_client.post("/api/reach/templates", json=persona, headers=hq).json()["field"] == "personas.0"
    assert [x["id"] for x in app_client.get("/api/reach/templates", headers=hq).json()] == [t["id"]]
    assert app_client.post("/api/reach/templates", json=SMS, headers=users["ana"]).status_code == 403


def test_validate_reports_every_issue_and_parts_while_editing(app_client: TestClient, users) -> None:
    res = app_client.post("/api/reach/templates/validate", headers=users["sz"], json={
        "channel": "sms", "purpose": "marketing", "content": {"body": "无签名 " + "中" * 70}})
    report = res.json()
    assert res.status_code == 200 and not report["ok"]
    assert [i["code"] for i in report["issues"]] == ["content.sms_signature_missing", "content.sms_opt_out_missing"]
    assert report["sms"] == {"encoding": "UCS-2", "characters": 74, "parts": 2}


def test_edits_save_versions_and_sends_record_theirs(app_client: TestClient, users, platform: Platform) -> None:
    hq = users["hq"]
    tid = app_client.post("/api/reach/templates", json=SMS, headers=hq).json()["id"]
    renamed = app_client.patch(f"/api/reach/templates/{tid}", json={"name": "改名"}, headers=hq).json()
    assert (renamed["name"], renamed["version"]) == ("改名", 1)
    body = "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，{{权益.面额}}元券三天后过期 回T退订"
    v2 = app_client.patch(f"/api/reach/templates/{tid}", json={"content": {"body": body}}, headers=hq).json()
    assert v2["version"] == 2 and v2["content"]["body"] == body
    same = app_client.patch(f"/api/reach/templates/{tid}", json={"content": v2["content"]}, headers=hq).json()
    assert same["version"] == 2  # unchanged content is no new version
    versions = app_client.get(f"/api/reach/templates/{tid}/versions", headers=hq).json()
    assert [v["version"] for v in versions] == [2, 1] and versions[1]["content"]["body"] == SMS["content"]["body"]

    facts = {"surname": "王", "gender": "M"}
    with platform.metadata.session() as session, pytest.raises(Invalid) as err:
        render(session=session, template_id=tid, channel="sms", variables={"benefit.amount": 20}, facts=facts)
    assert err.value.code == "content.template_not_active"
    assert app_client.post(f"/api/reach/templates/{tid}/status", json={"status": "active"},
                           headers=hq).json()["status"] == "active"
    with platform.metadata.session() as session:
        msg = render(session=session, template_id=tid, channel="sms", variables={"benefit": {"amount": 20}},
                     facts=facts)
        assert (msg.body, msg.template_version) == ("【魔方银行】王先生，20元券三天后过期 回T退订", 2)
        with pytest.raises(Invalid) as err:
            render(session=session, template_id=tid, channel="push", variables={}, facts=facts)
        assert err.value.code == "content.channel_mismatch"
        assert get_template(session=session, template_id=tid).version == 2  # type: ignore[union-attr]
        assert get_template(session=session, template_id=999) is None

    # A preview of an old version shows that version.
    old = app_client.post(f"/api/reach/templates/{tid}/preview", json={"version": 1}, headers=hq).json()
    assert old["version"] == 1 and "基金定投券" in old["body"]
    archived = app_client.post(f"/api/reach/templates/{tid}/status", json={"status": "archived"}, headers=hq)
    assert archived.json()["status"] == "archived"
    res = app_client.patch(f"/api/reach/templates/{tid}", json={"name": "x"}, headers=hq)
    assert res.status_code == 409 and res.json()["code"] == "content.archived"


def test_head_office_shares_with_branches_who_may_use_but_not_change(app_client: TestClient, users,
                                                                      platform: Platform) -> None:
    hq, sz, gz, zj = users["hq"], users["sz"], users["gz"], users["zj"]
    tid = app_client.post("/api/reach/templates", json=SMS, headers=hq).json()["id"]
    own = app_client.post("/api/reach/templates", json=PUSH, headers=gz).json()["id"]
    assert app_client.get("/api/reach/templates", headers=sz).json() == []
    assert app_client.get(f"/api/reach/templates/{tid}", headers=sz).status_code == 404
    bad = app_client.post(f"/api/reach/templates/{tid}/share", json={"org_codes": ["XX"]}, headers=hq)
    assert bad.status_code == 422 and bad.json()["field"] == "org_codes.0"
    shared = app_client.post(f"/api/reach/templates/{tid}/share", json={"org_codes": ["GD"]}, headers=hq).json()
    assert shared["shared_with"] == ["GD"]

    seen = app_client.get("/api/reach/templates", headers=sz).json()
    assert [(t["id"], t["owned"]) for t in seen] == [(tid, False)]
    assert {t["id"] for t in app_client.get("/api/reach/templates", headers=gz).json()} == {tid, own}
    assert app_client.get("/api/reach/templates", headers=zj).json() == []
    assert {t["id"] for t in app_client.get("/api/reach/templates", headers=hq).json()} == {tid, own}
    assert app_client.get("/api/reach/templates", headers=users["rm"]).json()[0]["id"] == tid  # RM's org is in GD
    refused = app_client.patch(f"/api/reach/templates/{tid}", json={"name": "分行改"}, headers=sz)
    assert refused.status_code == 403 and refused.json()["code"] == "content.not_owner"
    assert app_client.post(f"/api/reach/templates/{own}/share", json={"all": True}, headers=sz).status_code == 404
    # The canvas side panel picks from the same list.
    with platform.metadata.session() as session:
        me = gov.principal(session=session, user_id=next(u.id for u in gov.list_users(session=session)
                                                         if u.username == "sz"))
        assert me is not None and me.username == "sz"
        assert [t.id for t in list_templates(session=session, who=me, channel="sms")] == [tid]
        assert list_templates(session=session, who=me, channel="push") == []


def test_filters_by_channel_tag_and_persona(app_client: TestClient, users) -> None:
    hq = users["hq"]
    a = app_client.post("/api/reach/templates", json=SMS, headers=hq).json()["id"]
    b = app_client.post("/api/reach/templates", json=PUSH, headers=hq).json()["id"]

    def ids(**params: str) -> list[int]:
        return [t["id"] for t in app_client.get("/api/reach/templates", params=params, headers=hq).json()]

    assert ids() == [b, a] and ids(channel="push") == [b] and ids(tag="基金") == [a] and ids(tag="沉睡唤醒") == [b]
    assert ids(persona="专业严谨·投资研究") == [a] and ids(status="active") == []
    assert app_client.get("/api/reach/templates", params={"channel": "fax"}, headers=hq).status_code == 422


@pytest.mark.usefixtures("bank")
def test_preview_is_scoped_and_masks_personal_data(app_client: TestClient, users) -> None:
    hq, sz, rm = users["hq"], users["sz"], users["rm"]
    body = ("【魔方银行】{{客户.姓氏}}{{客户.称谓}}（{{客户.层级}}客户），{{客户经理.姓名}}提醒您：尾号{{事件.金额}}"
            " 回T退订")
    tid = app_client.post("/api/reach/templates", json={**SMS, "content": {"body": body}}, headers=hq).json()["id"]
    app_client.post(f"/api/reach/templates/{tid}/share", json={"all": True}, headers=hq)
    url = f"/api/reach/templates/{tid}/preview"
    res = app_client.post(url, json={"customer_id": "S01", "variables": {"trigger.amount": "13812345678"}},
                          headers=sz)
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["body"] == "【魔方银行】王先生（财富客户），刘经理提醒您：尾号138****5678 回T退订"
    assert "小明" not in res.text and "13812345678" not in res.text
    assert out["sms"]["parts"] == 1
    # Out of scope and absent look the same.
    for who, cid in ((sz, "G01"), (sz, "NOPE"), (rm, "S02")):
        miss = app_client.post(url, json={"customer_id": cid}, headers=who)
        assert miss.status_code == 404 and miss.json()["code"] == "content.customer_not_found"
    assert app_client.post(url, json={"customer_id": "S01"}, headers=rm).status_code == 200
    sample = app_client.post(url, json={}, headers=sz).json()
    assert sample["body"].startswith("【魔方银行】张先生（财富客户），李娜提醒您")


def test_sensitive_words_are_admin_edited_audited_and_checked_on_save(app_client: TestClient, users) -> None:
    root, hq = users["root"], users["hq"]
    seeded = {w["word"] for w in app_client.get("/api/reach/sensitive-words", headers=hq).json()}
    assert {"保本", "稳赚", "无风险", "零风险", "100%收益", "最高收益"} <= seeded
    assert app_client.post("/api/reach/sensitive-words", json={"word": "稳赢"}, headers=hq).status_code == 403
    made = app_client.post("/api/reach/sensitive-words", json={"word": "稳赢", "exceptions": ["不稳赢"]}, headers=root)
    assert made.status_code == 201
    again = app_client.post("/api/reach/sensitive-words", json={"word": "稳赢"}, headers=root)
    assert again.status_code == 409 and again.json()["code"] == "content.word_exists"
    bad = app_client.post("/api/reach/sensitive-words", json={"word": "翻倍", "exceptions": ["不会"]}, headers=root)
    assert bad.status_code == 422 and bad.json()["field"] == "exceptions.0"
    res = app_client.post("/api/reach/templates", json={**PUSH, "content": {"title": "稳赢计划", "body": "x"}},
                          headers=hq)
    assert res.status_code == 422 and res.json()["params"] == {"field": "title", "word": "稳赢", "position": 0}
    assert app_client.post("/api/reach/templates", headers=hq, json={
        **PUSH, "content": {"title": "理财提示", "body": "理财非存款，产品不保本，投资须谨慎"}}).status_code == 201
    # A word added after a template was saved stops its activation (every save and activation checks the list).
    late = app_client.post("/api/reach/templates", json={**PUSH, "content": {"title": "翻倍计划", "body": "x"}},
                           headers=hq).json()["id"]
    app_client.post("/api/reach/sensitive-words", json={"word": "翻倍"}, headers=root)
    res = app_client.post(f"/api/reach/templates/{late}/status", json={"status": "active"}, headers=hq)
    assert res.status_code == 422 and res.json()["params"]["word"] == "翻倍"
    assert app_client.get(f"/api/reach/templates/{late}", headers=hq).json()["status"] == "draft"
    assert app_client.delete(f"/api/reach/sensitive-words/{made.json()['id']}", headers=root).status_code == 204
    assert app_client.post("/api/reach/templates", json={**PUSH, "content": {"title": "稳赢计划", "body": "x"}},
                           headers=hq).status_code == 201
    actions = [e["action"] for e in app_client.get("/api/admin/audit", params={"limit": 50},
                                                   headers=root).json()["items"]]
    assert {"sensitive_word.add", "sensitive_word.delete", "template.create"} <= set(actions)


def test_variable_catalogue(app_client: TestClient, users) -> None:
    res = app_client.get("/api/reach/variables", headers=users["rm"]).json()
    names = {v["name"]: v for v in res["variables"]}
    assert names["客户.姓氏"]["key"] == "customer.surname" and names["客户.姓氏"]["source"] == "name_part"
    assert names["链接"]["source"] == "link" and len(res["personas"]) == 27
    assert not any("手机" in n or "身份证" in n or "全名" in n for n in names)  # no PII variable exists
    assert catalogue().personas[0] == "专业严谨·运动健身"
