"""Messages people see carry a stable code the console translates; every code has a zh and an en text."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_login_and_user_admin_errors_carry_codes_and_params(
        app_client: TestClient, make_user, login, admin_headers) -> None:
    wrong = app_client.post("/api/auth/login", json={"username": "root", "password": "not-the-password"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "login_failed"

    new = {"username": "root", "password": PASSWORD, "role": "analyst", "org_code": "HQ"}
    taken = app_client.post("/api/admin/users", json=new, headers=admin_headers)
    assert taken.status_code == 409
    assert (taken.json()["code"], taken.json()["params"], taken.json()["field"]) == (
        "user.taken", {"username": "root"}, "username")

    boss = app_client.post("/api/admin/users", json={**new, "username": "zed", "role": "boss"}, headers=admin_headers)
    assert (boss.json()["code"], boss.json()["params"]) == ("role.unknown", {"role": "boss"})
    nowhere = app_client.post("/api/admin/users", json={**new, "username": "zed", "org_code": "XX"},
                              headers=admin_headers)
    assert (nowhere.json()["code"], nowhere.json()["params"]) == ("org.unknown", {"org": "XX"})

    root_id = next(u["id"] for u in app_client.get("/api/admin/users", headers=admin_headers).json()["items"]
                   if u["username"] == "root")
    last = app_client.patch(f"/api/admin/users/{root_id}", json={"active": False}, headers=admin_headers)
    assert last.status_code == 409 and last.json()["code"] == "user.last_admin"

    make_user("viewer", "analyst", "HQ")
    forbidden = app_client.get("/api/admin/users", headers=login("viewer"))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "auth.permission"
    assert app_client.get("/api/admin/users").json()["code"] == "auth.missing"
    missing = app_client.patch("/api/admin/users/999999", json={"active": True}, headers=admin_headers)
    assert missing.status_code == 404 and missing.json()["code"] == "user.not_found"


def _codes_in_sources() -> set[str]:
    """Every literal `code="..."` given to a MofangError, and the classes' default codes."""
    found: set[str] = set()
    for path in (ROOT / "src" / "mofang").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"\bcode=\"([a-z0-9_.]+)\"", text))
        found |= set(re.findall(r"\bdefault_code = \"([a-z0-9_.]+)\"", text))
    return found


def _console_keys(lang: str) -> set[str]:
    """The `err.*` keys of the console's dictionaries for a language ('zh' or 'en')."""
    keys: set[str] = set()
    i18n = ROOT / "web" / "src" / "i18n"
    for path in [i18n / f"{lang}.ts", *sorted((i18n / "parts").glob("*.ts"))]:
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "parts":
            # A part file holds the zh object first and the en object after `export const en`.
            zh_part, _, en_part = text.partition("export const en")
            text = zh_part if lang == "zh" else en_part
        keys |= set(re.findall(r"'(err\.[a-z0-9_.]+)'\s*:", text))
    return keys


def test_every_error_code_raised_has_a_chinese_and_an_english_text() -> None:
    # Codes of the ingestion endpoints answer SDKs, not people; they are not shown by the console.
    sdk_codes = {"unauthorized", "unavailable", "internal"} - {"unauthorized"}
    codes = _codes_in_sources() - sdk_codes
    assert {"login_failed", "user.taken", "not_found"} <= codes
    for lang in ("zh", "en"):
        missing = sorted(c for c in codes if f"err.{c}" not in _console_keys(lang))
        assert not missing, f"codes without a {lang} text: {missing}"


def test_segment_builder_errors_carry_codes_the_console_translates(app_client: TestClient, admin_headers) -> None:
    def estimate(condition: dict) -> dict:
        res = app_client.post("/api/insight/segments/estimate", headers=admin_headers,
                              json={"definition": {"type": "group", "op": "and", "conditions": [condition]}})
        assert res.status_code == 422, res.text
        return res.json()

    unknown = estimate({"type": "attribute", "field": "shoe_size", "op": "eq", "value": 42})
    assert (unknown["code"], unknown["params"], unknown["field"]) == (
        "attribute.unknown", {"field": "shoe_size"}, "definition.conditions.0.field")
    wrong = estimate({"type": "attribute", "field": "aum", "op": "gt", "value": "lots"})
    assert (wrong["code"], wrong["field"]) == ("value.number", "definition.conditions.0.value")
    event = estimate({"type": "behaviour", "event": "no_such_event", "op": "gte", "value": 1,
                      "window": {"last_days": 30}})
    assert (event["code"], event["params"]) == ("event.unknown", {"event": "no_such_event"})
