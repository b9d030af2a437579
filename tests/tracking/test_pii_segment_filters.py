"""A segment or tag on an event property holding PII matches the value a user types in clear (stored masked)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from test_pii_end_to_end import PHONE, ingested  # noqa: F401  (the fixture: C001's loan application with a phone)

from mofang.platform.context import Platform


def did_loan_apply(op: str, value: object) -> dict:
    return {"type": "behaviour", "event": "loan_apply", "window": {"last_days": 3650},
            "filters": [{"property": "phone", "op": op, "value": value}]}


def test_segment_on_a_phone_typed_in_clear_finds_the_customer(app_client: TestClient, ingested: Platform,  # noqa: F811
                                                              admin_headers) -> None:
    count = lambda tree: app_client.post("/api/insight/segments/estimate", json={"definition": tree},  # noqa: E731
                                         headers=admin_headers).json()["count"]
    assert count(did_loan_apply("eq", PHONE)) == 1
    assert count(did_loan_apply("eq", int(PHONE))) == 1  # typed as a number in the builder
    assert count(did_loan_apply("in", [PHONE, "13900000000"])) == 1
    assert count(did_loan_apply("eq", "13900000000")) == 0
    assert count(did_loan_apply("neq", PHONE)) == 0


def test_tag_on_a_phone_typed_in_clear_counts_the_customer(app_client: TestClient, ingested: Platform,  # noqa: F811
                                                           admin_headers) -> None:
    res = app_client.post("/api/insight/tags", headers=admin_headers, json={
        "key": "applied_by_phone", "name": "按手机号申请", "family": "preference",
        "rule": {"kind": "rule", "cases": [{"value": "已申请", "when": did_loan_apply("eq", PHONE)}]}})
    assert res.status_code == 201, res.text
    run = app_client.post(f"/api/insight/tags/{res.json()['id']}/run", headers=admin_headers)
    assert run.status_code == 200, run.text
    assert run.json()["runs"][0]["customers"] == 1
