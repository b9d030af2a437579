"""The content library on PostgreSQL: migration 0020 (seeded words), versions, sharing and render."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.reach.content import render

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose metadata database is a fresh PostgreSQL database."""
    url = request.getfixturevalue("_fresh_pg_database")
    return Settings(data_dir=tmp_path / "data", metadata_url=url, scheduler=False)


def test_templates_on_postgres(app_client: TestClient, platform: Platform, make_user, login) -> None:
    hq, sz = login(make_user("hq", "hq_operator", "HQ")), login(make_user("sz", "branch_operator", "GD-SZ"))
    words = {w["word"] for w in app_client.get("/api/reach/sensitive-words", headers=hq).json()}
    assert {"保本", "稳赚", "零风险"} <= words
    body = "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，您的{{权益.名称}}已到账 回T退订"
    made = app_client.post("/api/reach/templates", headers=hq, json={
        "name": "权益到账", "channel": "sms", "content": {"body": body}})
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    app_client.patch(f"/api/reach/templates/{tid}", headers=hq, json={"content": {"body": body + "。"}})
    app_client.post(f"/api/reach/templates/{tid}/status", headers=hq, json={"status": "active"})
    app_client.post(f"/api/reach/templates/{tid}/share", headers=hq, json={"org_codes": ["GD"]})
    assert [t["version"] for t in app_client.get("/api/reach/templates", headers=sz).json()] == [2]
    with platform.metadata.session() as session:
        msg = render(session=session, template_id=tid, channel="sms", variables={"benefit.name": "体验金"},
                     facts={"surname": "李", "gender": "F"})
    assert (msg.body, msg.template_version) == ("【魔方银行】李女士，您的体验金已到账 回T退订。", 2)
