"""Customer profiles: what every worker reads about a customer, kept current by loads, tag runs and strategies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import add_customers
from mofang.insight import profiles
from mofang.insight.tags import tasks as tag_tasks
from mofang.integration import service as integration
from mofang.integration.contracts import LoadRead, Mapping
from mofang.integration.tasks import apply_profile_writes
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid, NotFound

HEADER = "客户号,姓名,管户机构,客户经理编号,风险测评等级,客户层级,AUM,短信营销同意,微信营销同意,月均代发,微信号"


@pytest.fixture
def load(platform: Platform, tmp_path: Path) -> Callable[..., LoadRead]:
    """Load customers.csv lines (header first) through the integration service."""

    def _load(lines: list[str], *, entity: str = "customers", mode: str = "delta", name: str = "c.csv") -> LoadRead:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return integration.load_file(platform=platform, entity=entity, path=path, file_name=name, mode=mode,
                                     mapping=Mapping(), username="tester")

    return _load


@pytest.fixture
def bank(platform: Platform, app_client: TestClient, admin_headers: dict[str, str],
         load: Callable[..., LoadRead]) -> None:
    """Two RMs, a number attribute and a PII one declared, three customers loaded from a file."""
    load(["rm_id,name,org_code", "RM1,王芳,GD-GZ-001", "RM2,李强,GD-SZ-001"], entity="staff", name="s.csv")
    for key, body in (("salary_avg", {"type": "number", "zh": "月均代发"}),
                      ("wechat_id", {"type": "string", "zh": "微信号", "pii": True})):
        assert app_client.put(f"/api/data/attributes/{key}", headers=admin_headers, json=body).status_code == 200
    load([HEADER, "K1,张三,GD-GZ-001,RM1,C3,财富,520000,是,否,8500,zs_wx",
          "K2,李四,GD-SZ-001,RM2,C2,大众,3000,否,是,,", "K3,王五,GD-SZ-001,,C5,私行,6000000,是,是,,"])


def _profile(platform: Platform, cid: str) -> profiles.Profile | None:
    with platform.metadata.session() as session:
        return profiles.get_profile(session=session, customer_id=cid)


@pytest.mark.usefixtures("bank")
def test_a_customer_load_fills_profiles_without_pii(platform: Platform) -> None:
    k1 = _profile(platform, "K1")
    assert k1 is not None
    assert (k1.org_code, k1.rm_id, k1.kyc_level, k1.tier, k1.aum) == ("GD-GZ-001", "RM1", "C3", "财富", 520000.0)
    assert k1.consents["sms"] is True and k1.consents["wechat"] is False and k1.consents["email"] is None
    assert k1.attributes["attr:salary_avg"] == 8500.0 and k1.attributes["tier"] == "财富"
    assert "attr:wechat_id" not in k1.attributes and "name" not in k1.attributes
    assert "zs_wx" not in str(k1.model_dump()) and "张三" not in str(k1.model_dump())
    assert (k1.tags, k1.segments) == ({}, [])
    with platform.metadata.session() as session:
        many = profiles.get_profiles(session=session, customer_ids=["K1", "K3", "NOBODY"])
    assert sorted(many) == ["K1", "K3"] and _profile(platform, "NOBODY") is None


@pytest.mark.usefixtures("bank")
def test_a_branch_move_rewrites_only_that_profile(platform: Platform, load: Callable[..., LoadRead]) -> None:
    before = {c: _profile(platform, c) for c in ("K1", "K2", "K3")}
    load([HEADER, "K2,李四,GD-GZ-001,RM1,C2,大众,3000,否,是,,"], name="move.csv")
    k2 = _profile(platform, "K2")
    assert k2 is not None and (k2.org_code, k2.rm_id) == ("GD-GZ-001", "RM1")
    assert _profile(platform, "K1") == before["K1"] and _profile(platform, "K3") == before["K3"]
    # An explicit full refresh finds nothing else to write; a closed customer's profile goes.
    assert profiles.refresh_profiles(platform=platform).written == 0
    load([HEADER, "K1,张三,GD-GZ-001,RM1,C3,财富,520000,是,否,8500,zs_wx",
          "K2,李四,GD-GZ-001,RM1,C2,大众,3000,否,是,,"], name="full.csv", mode="full")
    assert _profile(platform, "K3") is None


@pytest.mark.usefixtures("bank")
def test_daily_aum_moves_the_profile(platform: Platform, load: Callable[..., LoadRead]) -> None:
    load(["customer_id,date,aum", "K2,2026-01-30,4000", "K2,2026-01-31,45000"], entity="aum_daily", name="a.csv")
    k2 = _profile(platform, "K2")
    assert k2 is not None and k2.aum == 45000.0 and k2.attributes["aum"] == 45000.0


@pytest.mark.usefixtures("bank")
def test_the_daily_tag_run_and_segment_snapshots_reach_the_profiles(
    platform: Platform, app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    tag = app_client.post("/api/insight/tags", headers=admin_headers, json={
        "key": "salary_band", "name": "代发档", "family": "business_value",
        "rule": {"kind": "attribute", "field": "attr:salary_avg",
                 "bands": [{"label": "低", "lt": 5000}, {"label": "高"}]}})
    assert tag.status_code == 201, tag.text
    seg = app_client.post("/api/insight/segments", headers=admin_headers, json={
        "name": "深圳大户", "kind": "dynamic", "definition": {"type": "group", "op": "and", "conditions": [
            {"type": "attribute", "field": "org_code", "op": "eq", "value": "GD-SZ-001"},
            {"type": "attribute", "field": "aum", "op": "gt", "value": 100000}]}})
    assert seg.status_code == 201, seg.text
    tag_tasks.run_daily(platform, date(2026, 2, 1))
    k1, k3 = _profile(platform, "K1"), _profile(platform, "K3")
    assert k1 is not None and k3 is not None
    assert k1.tags["salary_band"] == "高" and k1.tags["aum_tier"] == "财富客户" and k1.segments == []
    assert k3.segments == [seg.json()["id"]] and "salary_band" not in k3.tags


@pytest.mark.usefixtures("bank")
def test_a_strategy_sets_attributes_that_later_reach_the_customer_master(platform: Platform) -> None:
    with platform.metadata.session() as session:
        p = profiles.set_attribute(session=session, customer_id="K2", key="attr:salary_avg", value="12000")
        assert p.attributes["attr:salary_avg"] == 12000.0
        profiles.set_attribute(session=session, customer_id="K2", key="welcome_stage", value="已发券")
    for key, value in (("tier", "私行"), ("attr:wechat_id", "x"), ("attr:salary_avg", "很多"), ("Bad Key", 1)):
        with pytest.raises(Invalid) as err, platform.metadata.session() as session:
            profiles.set_attribute(session=session, customer_id="K2", key=key, value=value)
        assert (err.value.code, err.value.field) == ("profiles.bad_attribute", "key"), key
    with pytest.raises(NotFound), platform.metadata.session() as session:
        profiles.set_attribute(session=session, customer_id="NOBODY", key="welcome_stage", value="x")
    # The read side sees it at once; the refresh of loaded data does not undo it.
    profiles.refresh_profiles(platform=platform)
    k2 = _profile(platform, "K2")
    assert k2 is not None and k2.attributes["attr:salary_avg"] == 12000.0 and k2.attributes["welcome_stage"] == "已发券"

    assert apply_profile_writes(platform) == 1
    stored = platform.store.scalar(
        "SELECT value FROM customer_attributes WHERE customer_id = 'K2' AND key = 'salary_avg'")
    assert float(stored) == 12000.0
    k2 = _profile(platform, "K2")
    assert k2 is not None and k2.attributes["attr:salary_avg"] == 12000.0 and k2.attributes["welcome_stage"] == "已发券"
    assert apply_profile_writes(platform) == 0  # written once
    name = platform.store.scalar("SELECT name FROM customers WHERE customer_id = 'K2'")
    assert name == "李四"  # the push of one attribute left the rest of the customer as it was


def test_a_large_bank_refreshes_in_bulk_and_only_changes_are_written(platform: Platform) -> None:
    rows: dict[str, dict[str, Any]] = {
        f"P{i:05d}": {"name": "客户", "org_code": ("GD-SZ-001", "GD-GZ-001", "ZJ-HZ-001")[i % 3],
                      "aum": float(i * 10), "tier": "大众", "open_date": date(2020, 1, 1)}
        for i in range(5000)}
    add_customers(platform, rows, profiles=False)
    first = profiles.refresh_profiles(platform=platform, now=datetime(2026, 1, 1))
    assert (first.customers, first.written, first.deleted) == (5000, 5000, 0)
    with platform.store.write() as cur:
        cur.execute("UPDATE customers SET org_code = 'GD-SZ-001' WHERE customer_id IN ('P00001', 'P00003')")
    second = profiles.refresh_profiles(platform=platform)
    assert (second.customers, second.written) == (5000, 1)  # P00001 was elsewhere; P00003 was there already
    with platform.metadata.session() as session:
        got = profiles.get_profiles(session=session, customer_ids=[f"P{i:05d}" for i in range(0, 5000, 7)])
    assert len(got) == len(range(0, 5000, 7)) and got["P00007"].aum == 70.0
    assert got["P00007"].org_code == "GD-GZ-001"


@pytest.mark.usefixtures("bank")
def test_what_a_send_shows_is_kept_encrypted_and_follows_a_staff_load(
        platform: Platform, load: Callable[..., LoadRead]) -> None:
    import json

    from mofang.insight.profiles.models import CustomerProfile

    def personal(cid: str) -> dict[str, Any]:
        with platform.metadata.session() as session:
            row = session.get(CustomerProfile, cid)
            assert row is not None and row.personal_enc and "张" not in row.personal_enc
            return json.loads(platform.cipher.decrypt(row.personal_enc) or "{}")

    assert personal("K1") == {"surname": "张", "rm_name": "王芳", "name_masked": "张*"}
    load(["rm_id,name,org_code", "RM1,王芳芳,GD-GZ-001", "RM2,李强,GD-SZ-001"], entity="staff", name="s2.csv")
    assert personal("K1")["rm_name"] == "王芳芳"  # the RM's customers were refreshed by the staff load
    assert profiles.refresh_profiles(platform=platform).written == 0
