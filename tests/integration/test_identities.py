"""Identities (身份标识): loaded from files like any entity, pushed by bank systems, merged with events, addressed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from integration_files import CUSTOMER_HEADER, customer_line
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from factories import postgres_url
from mofang.integration import identities
from mofang.integration.contracts import LoadRead
from mofang.integration.identities.models import CustomerIdentity
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid

pytestmark = pytest.mark.usefixtures("products_and_staff")

OPENID = "oWx9Z3kLmNpQ7rStUvW1xYz2AbCd"
TOKEN = "1a0018970a8f1b2c3d4e5f60718293a4b5c6d7e8"


@pytest.fixture
def customers(products_and_staff: None, write_file: Callable[..., Path], load: Callable[..., LoadRead]) -> None:
    """K1 (phone 13912345678 in the master), K2 (13900001111), K3 (no phone)."""
    load("customers", write_file("c.csv", [
        CUSTOMER_HEADER, customer_line("K1", "张三", rm="RM1"), customer_line("K2", "李四", phone="13900001111"),
        customer_line("K3", "王五", phone="")]))


def _rows(platform: Platform) -> list[CustomerIdentity]:
    with platform.metadata.session() as session:
        return list(session.query(CustomerIdentity).order_by(CustomerIdentity.id))


def _address(platform: Platform, cid: str, channel: str) -> identities.Address | None:
    with platform.metadata.session() as session:
        return identities.address_of(session=session, customer_id=cid, channel=channel)


@pytest.mark.usefixtures("customers")
def test_an_identity_file_with_chinese_headers_loads_with_rejects_masked(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    path = write_file("ids.csv", [
        "客户号,标识类型,标识值,是否有效",
        f"K1,微信,{OPENID},是",
        f"K1,推送,{TOKEN},是",
        "K2,手机,+86 139-0000-2222,是",
        "K2,手机,1390000222,是",          # ten digits: not a mobile
        "NOBODY,手机,13700001234,是",       # unknown customer
        "K3,邮箱,WangWu@Example.com,",
        "K3,邮箱,wangwu@example.com,是",    # the same address again (normalised): a repeated key
    ], encoding="gbk")
    mapping = {"values": {"kind": {"微信": "wechat_openid", "推送": "push_token", "手机": "mobile", "邮箱": "email"}}}
    report = load("identities", path, mapping=mapping, reject_threshold=0.5)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.status) == (7, 4, 3, "ok")
    rejects = (platform.settings.data_dir / "integration" / "rejects" / f"{report.id}.csv").read_text("utf-8-sig")
    assert '4,value,"not a mobile number' in rejects and "139***0222" in rejects and "1390000222" not in rejects
    assert "5,customer_id,no such customer" in rejects and "13700001234" not in rejects
    assert "7,value,duplicate key (first seen on row 6)" in rejects
    wechat = _address(platform, "K1", "wechat")
    assert wechat is not None and wechat.masked == "oWx****AbCd" and wechat.value is None
    assert identities.reveal(wechat, crypto=platform.cipher) == OPENID
    sms = _address(platform, "K2", "sms")
    assert sms is not None and identities.reveal(sms, crypto=platform.cipher) == "13900002222"
    assert sms.source == "file:identities" and sms.masked == "139****2222"
    # Loading the same file again changes nothing.
    again = load("identities", path, mapping=mapping, reject_threshold=0.5)
    assert (again.rows_loaded, again.rows_unchanged) == (0, 4)


@pytest.mark.usefixtures("customers")
def test_too_many_rejects_load_nothing(platform: Platform, write_file: Callable[..., Path],
                                       load: Callable[..., LoadRead]) -> None:
    path = write_file("ids.csv", ["customer_id,kind,value", "K1,mobile,12", "K2,fax,x", f"K1,wechat_openid,{OPENID}"])
    with pytest.raises(Invalid) as err:
        load("identities", path)
    assert err.value.code == "integration.too_many_rejects"
    assert _address(platform, "K1", "wechat") is None


@pytest.mark.usefixtures("customers")
def test_every_channel_has_its_address_or_none(platform: Platform, write_file: Callable[..., Path],
                                               load: Callable[..., LoadRead]) -> None:
    load("identities", write_file("ids.csv", [
        "customer_id,kind,value,last_seen", f"K1,push_token,{TOKEN},2026-01-02 08:00:00",
        "K1,app_user,U-1001,2026-01-01 08:00:00", "K1,email,zs@example.com,", "K2,app_user,U-2002,"]))
    expect = {  # channel -> {customer: (kind, source)}
        "sms": {"K1": ("mobile", "customers"), "K2": ("mobile", "customers")},
        "call": {"K1": ("mobile", "customers"), "K2": ("mobile", "customers")},
        "push": {"K1": ("push_token", "file:identities"), "K2": ("app_user", "file:identities")},
        "inbox": {"K1": ("app_user", "file:identities"), "K2": ("app_user", "file:identities"),
                  "K3": ("customer_no", "customers")},
        "placement": {"K1": ("app_user", "file:identities"), "K2": ("app_user", "file:identities"),
                      "K3": ("customer_no", "customers")},
        "wechat": {},
        "email": {"K1": ("email", "file:identities")},
        "rm_task": {c: ("customer_no", "customers") for c in ("K1", "K2", "K3")},
    }
    with platform.metadata.session() as session:
        for channel, want in expect.items():
            got = identities.addresses_of(session=session, customer_ids=["K1", "K2", "K3", "NOBODY"], channel=channel)
            assert {c: (a.kind, a.source) for c, a in got.items()} == want, channel
        assert identities.address_of(session=session, customer_id="K3", channel="sms") is None
        assert identities.address_of(session=session, customer_id="NOBODY", channel="rm_task") is None
        k2 = identities.address_of(session=session, customer_id="K2", channel="call")
        assert k2 is not None and identities.reveal(k2, crypto=platform.cipher) == "13900001111"
        assert k2.masked == "139****1111" and k2.value is None and k2.value_enc is not None
        push = identities.address_of(session=session, customer_id="K2", channel="push")
        assert push is not None and push.value == "U-2002"
        assert identities.reveal(push, crypto=platform.cipher) == "U-2002"
        with pytest.raises(Exception) as bad:
            identities.address_of(session=session, customer_id="K1", channel="fax")
        assert getattr(bad.value, "code", None) == "identities.unknown_channel"
        assert identities.customers_by_value(session=session, platform=platform, kind="mobile",
                                             value="+86 13900001111") == ["K2"]


@pytest.mark.usefixtures("customers")
def test_a_changed_phone_in_the_master_moves_the_sms_address_and_a_closure_removes_all(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("customers", write_file("c2.csv", [CUSTOMER_HEADER, customer_line("K1", "张三", rm="RM1",
                                                                            phone="13688889999")]))
    sms = _address(platform, "K1", "sms")
    assert sms is not None and identities.reveal(sms, crypto=platform.cipher) == "13688889999"
    assert [r.valid for r in _rows(platform) if r.customer_id == "K1" and r.kind == "mobile"] == [False, True]
    load("customers", write_file("c3.csv", [CUSTOMER_HEADER, customer_line("K2", "李四", phone="13900001111"),
                                            customer_line("K3", "王五", phone="")]), mode="full")
    assert _address(platform, "K1", "sms") is None and _address(platform, "K1", "rm_task") is None
    assert _address(platform, "K2", "rm_task") is not None


@pytest.mark.usefixtures("customers")
def test_a_full_identity_load_invalidates_what_its_source_no_longer_sends(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("identities", write_file("a.csv", ["customer_id,kind,value", f"K1,wechat_openid,{OPENID}",
                                            "K2,wechat_openid,oOTHER0000000000000000000001"]), source="wx")
    report = load("identities", write_file("b.csv", ["customer_id,kind,value", f"K1,wechat_openid,{OPENID}"]),
                  source="wx", mode="full")
    assert (report.rows_unchanged, report.rows_closed) == (1, 1)
    assert _address(platform, "K2", "wechat") is None and _address(platform, "K1", "wechat") is not None


@pytest.mark.usefixtures("customers")
def test_app_users_seen_in_events_are_merged_with_loaded_identities(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    load("identities", write_file("ids.csv", ["customer_id,kind,value,first_seen,last_seen",
                                              "K1,app_user,K1,2026-01-05 00:00:00,2026-01-06 00:00:00"]))
    rows = [  # (type, user_id, channel, ts, properties)
        ("track", "K1", "app", datetime(2026, 1, 3, 9), {}), ("track", "K1", "app", datetime(2026, 1, 9, 9), {}),
        ("track", "K2", "server", datetime(2026, 1, 3, 9), {}),       # a transaction: not the app
        ("identify", "APP-77", "app", datetime(2026, 1, 4, 9), {"customer_no": "K3"}),
        ("track", "GHOST", "app", datetime(2026, 1, 4, 9), {}),       # not a customer
    ]
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO events VALUES (?, ?, 'x', ?, ?, NULL, ?, ?, ?, ?, '{}')",
                        [[f"m{i}", t, u, u, ts, ts, ch, json.dumps(p)] for i, (t, u, ch, ts, p) in enumerate(rows)])
    first = identities.merge_events(platform=platform)
    with platform.metadata.session() as session:
        push = identities.addresses_of(session=session, customer_ids=["K1", "K2", "K3"], channel="push")
        k1 = [r for r in identities.list_for_customer(session=session, customer_id="K1") if r.kind == "app_user"]
    assert {c: (a.value, a.source) for c, a in push.items()} == {"K1": ("K1", "file:identities"),
                                                                 "K3": ("APP-77", "events")}
    assert len(k1) == 1 and (k1[0].first_seen, k1[0].last_seen) == (datetime(2026, 1, 3, 9, tzinfo=UTC),
                                                                    datetime(2026, 1, 9, 9, tzinfo=UTC))
    assert first["loaded"] == 2
    assert identities.merge_events(platform=platform) == {"loaded": 0, "unchanged": 0, "invalidated": 0}


@pytest.mark.usefixtures("customers")
def test_the_api_push_replaces_a_customers_set_and_the_batch_is_idempotent(
    platform: Platform, app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    body = {"identities": [{"kind": "wechat_openid", "value": OPENID}, {"kind": "push_token", "value": TOKEN}]}
    res = app_client.put("/api/data/customers/K1/identities", headers=admin_headers, json=body)
    assert res.status_code == 200, res.text
    assert res.json()["loaded"] == 2
    res = app_client.put("/api/data/customers/K1/identities", headers=admin_headers,
                         json={"identities": [{"kind": "wechat_openid", "value": OPENID}]})
    assert (res.json()["unchanged"], res.json()["invalidated"]) == (1, 1)
    assert _address(platform, "K1", "push") is None
    bad = app_client.put("/api/data/customers/K1/identities", headers=admin_headers,
                         json={"identities": [{"kind": "mobile", "value": "12345"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "identities.0.value"
    assert app_client.put("/api/data/customers/NOBODY/identities", headers=admin_headers,
                          json=body).status_code == 404

    batch = {"idempotency_key": "crm-2026-01-07-001", "items": [
        {"customer_id": "K2", "kind": "email", "value": "ls@example.com"},
        {"customer_id": "K3", "kind": "mobile", "value": "13512340000"}]}
    first = app_client.post("/api/data/identities:batch", headers=admin_headers, json=batch)
    assert first.status_code == 200, first.text
    assert (first.json()["loaded"], first.json()["replayed"]) == (2, False)
    before = len(_rows(platform))
    again = app_client.post("/api/data/identities:batch", headers=admin_headers, json=batch)
    assert again.json() == {**first.json(), "replayed": True} and len(_rows(platform)) == before
    other = app_client.post("/api/data/identities:batch", headers=admin_headers,
                            json={**batch, "items": batch["items"][:1]})
    assert other.status_code == 409 and other.json()["code"] == "identities.key_reused"
    unknown = app_client.post("/api/data/identities:batch", headers=admin_headers, json={
        "idempotency_key": "k2", "items": [{"customer_id": "K2", "kind": "email", "value": "x@example.com"},
                                           {"customer_id": "NOBODY", "kind": "email", "value": "y@example.com"}]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "items.1.customer_id"
    sms = _address(platform, "K3", "sms")
    assert sms is not None and identities.reveal(sms, crypto=platform.cipher) == "13512340000"


@pytest.mark.usefixtures("customers")
def test_no_mobile_or_openid_is_in_clear_in_any_file_of_the_data_dir(
    platform: Platform, write_file: Callable[..., Path], load: Callable[..., LoadRead],
    app_client: TestClient, admin_headers: dict[str, str],
) -> None:
    load("identities", write_file("ids.csv", ["customer_id,kind,value", f"K1,wechat_openid,{OPENID}",
                                              f"K1,push_token,{TOKEN}", "K2,mobile,13722223333",
                                              "K2,mobile,13722"]), reject_threshold=0.5)
    app_client.put("/api/data/customers/K3/identities", headers=admin_headers,
                   json={"identities": [{"kind": "mobile", "value": "13644445555"}]})
    platform.store.checkpoint()
    secrets = [b"13912345678", b"13900001111", b"13722223333", b"13644445555", OPENID.encode(), TOKEN.encode()]
    for path in platform.settings.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for s in secrets:
                assert s not in data, (path.name, s)


@pytest.mark.usefixtures("customers")
def test_the_master_copy_in_small_rounds_keeps_every_address(platform: Platform,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from mofang.integration.identities import service as identity_service

    monkeypatch.setattr(identity_service, "MASTER_CHUNK", 2)
    again = identities.sync_master(platform=platform)
    assert (again["loaded"], again["invalidated"]) == (0, 0)
    with platform.metadata.session() as session:
        sms = identities.addresses_of(session=session, customer_ids=["K1", "K2", "K3"], channel="sms")
    assert sorted(sms) == ["K1", "K2"]


@pytest.mark.usefixtures("customers")
def test_coverage_counts_only_the_customers_a_viewer_may_see(
    app_client: TestClient, admin_headers: dict[str, str], make_user: Callable[..., str],
    login: Callable[[str], dict[str, str]], write_file: Callable[..., Path], load: Callable[..., LoadRead],
) -> None:
    # The fixture's customers are 广州天河's (GD-GZ-001); K4 is 深圳南山's, with a phone and no WeChat.
    load("customers", write_file("k4.csv", [CUSTOMER_HEADER, customer_line("K4", "赵六", org="GD-SZ-001",
                                                                           phone="13611112222")]))
    app_client.put("/api/data/customers/K1/identities", headers=admin_headers,
                   json={"identities": [{"kind": "wechat_openid", "value": OPENID}]})
    everyone = app_client.get("/api/data/identities/coverage", headers=admin_headers).json()
    share = {c["channel"]: (c["reachable"], c["share"]) for c in everyone["channels"]}
    assert everyone["customers"] == 4
    assert share["sms"] == (3, 0.75) and share["wechat"] == (1, 0.25) and share["rm_task"] == (4, 1.0)
    shenzhen = login(make_user("sz_ops", "branch_operator", "GD-SZ-001"))
    mine = app_client.get("/api/data/identities/coverage", headers=shenzhen).json()
    share = {c["channel"]: (c["reachable"], c["share"]) for c in mine["channels"]}
    assert mine["customers"] == 1 and share["sms"] == (1, 1.0) and share["wechat"] == (0, 0.0)


@pytest.fixture
def bank_ids_db() -> Iterator[str]:
    """A fresh PostgreSQL database holding the bank's identity table (CRM codes for the kinds)."""
    configured = postgres_url()
    if not configured:
        pytest.skip("database source tests skipped: set MOFANG_TEST_POSTGRES_URL to run them")
    admin = make_url(configured).set(drivername="postgresql+psycopg")
    name = f"mofang_ids_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    source = create_engine(url)
    with source.begin() as conn:
        conn.execute(text("CREATE TABLE crm_ids (cust_no VARCHAR(20), id_type CHAR(2), id_value VARCHAR(64), "
                          "changed_at TIMESTAMP)"))
        conn.execute(text("INSERT INTO crm_ids VALUES ('K1', '01', '13711112222', '2026-03-01 08:00:00'), "
                          f"('K2', '03', '{OPENID}', '2026-03-01 09:00:00'), "
                          "('K3', '01', 'n/a', '2026-03-01 09:30:00')"))
    source.dispose()
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.mark.usefixtures("customers")
def test_identities_load_from_a_database_query_with_value_maps(platform: Platform, bank_ids_db: str) -> None:
    from mofang.integration import service
    from mofang.integration.contracts import DatabaseSourceSave

    service.save_database_source(platform=platform, name="crm-ids", username="tester", data=DatabaseSourceSave(
        entity="identities", url=bank_ids_db, query="SELECT cust_no, id_type, id_value, changed_at FROM crm_ids",
        watermark_column="changed_at", reject_threshold=0.5, mapping={
            "columns": {"cust_no": "customer_id", "id_type": "kind", "id_value": "value", "changed_at": "last_seen"},
            "values": {"kind": {"01": "mobile", "03": "wechat_openid"}}}))
    report = service.run_source(platform=platform, name="crm-ids", mode="full", username="tester")
    assert (report.status, report.rows_read, report.rows_loaded, report.rows_rejected) == ("ok", 3, 2, 1)
    sms, wechat = _address(platform, "K1", "sms"), _address(platform, "K2", "wechat")
    assert sms is not None and sms.source == "crm-ids" and identities.reveal(sms, crypto=platform.cipher) == \
        "13711112222"
    assert wechat is not None and identities.reveal(wechat, crypto=platform.cipher) == OPENID
    again = service.run_source(platform=platform, name="crm-ids", mode="incremental", username="tester")
    assert (again.rows_read, again.rows_loaded) == (0, 0)
