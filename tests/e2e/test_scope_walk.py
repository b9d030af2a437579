"""Data scope, walked over the whole API: a branch user learns nothing about another branch's customers.

Branch A (广州天河, GD-GZ-001) makes tags, segments, sets, lists, saved analyses, dashboards, metrics and alert
rules; head office makes its own and shares them. The bank is built twice, identical but for A's customers
(how many, their AUM, events, holdings, transactions). A branch operator, an analyst and an RM of branch B
(深圳, GD-SZ / GD-SZ-001) then call every route of the OpenAPI that answers with customer data, in both banks:
every answer must be the same (any row, count, sum or ratio that depends on A's customers differs), and none
may name one of A's customers or A's amounts. A route the walk does not call must be classified below as
carrying no customer data, so a new route fails this test until someone decides which it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from factories import ORGS, PASSWORD, add_aum_snapshots, add_customers, add_products_and_holdings, add_rms, events_for
from mofang import campaigns
from mofang.app import create_app
from mofang.insight import profiles
from mofang.insight.segments import service as segments
from mofang.insight.tags import tasks as tag_tasks
from mofang.integration import identities
from mofang.monitor.alerts import service as alerts
from mofang.monitor.effects.models import EffectGoal
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance import auth
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import UserCreate
from mofang.platform.settings import Settings
from mofang.reach import send as reach_send
from mofang.reach.contracts import ProviderResult, SendRequest
from mofang.reach.delivery.events import flush_events
from mofang.reach.delivery.routing import Deps
from mofang.strategy.contact_policy import check as policy_check
from mofang.strategy.contact_policy import record_opt_out
from mofang.strategy.contact_policy.contracts import ContactRequest
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.logic import advance
from mofang.strategy.engine.repository.models import EngineVersion
from mofang.strategy.engine.service import Runtime
from mofang.strategy.engine.service.runtime import EXTRA as ENGINE_RUNTIME
from mofang.tracking.service import ingestor_of
from monitor.analytics_bank import CUSTOMERS, EVENTS, T0, h
from strategy.runtime.kit import DictFacts, send_delay_exit

TODAY = date(2026, 3, 20)
EARLIER = date(2026, 3, 13)
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-10"}
A_ORG, B_ORG = "GD-GZ-001", "GD-SZ-001"
CLAIMED = datetime(2026, 3, 20, 4)  # when the walk's customers claim their benefits (UTC)

# What the two banks give branch A: how many customers, and amounts nobody in branch B has.
A_WORLDS = {
    "big": {"n": 12, "aum": 7_777_777.0, "amount": 77_777.0, "tier": "财富", "gender": "M"},
    "small": {"n": 10, "aum": 3_333_333.0, "amount": 33_333.0, "tier": "大众", "gender": "F"},
}
# Traces of A's customers that must never reach B: their ids, and their amounts in any notation.
A_TRACES = re.compile(r"\ba\d\d\b|\bc3\b|7,?777,?777|77,?777|3,?333,?333|33,?333")

# Routes that carry nothing about customers (no row, count, sum or ratio), and why. Everything else is walked.
NO_CUSTOMER_DATA: dict[tuple[str, str], str] = {
    ("GET", "/api/health"): "liveness probe",
    ("POST", "/api/auth/login"): "issues a token",
    ("GET", "/api/me"): "the caller's own account",
    ("GET", "/api/orgs"): "the org tree (names and codes)",
    ("POST", "/api/admin/users"): "administrators only; answers with the account made",
    ("PATCH", "/api/admin/users/{user_id}"): "administrators only; answers with the account changed",
    ("GET", "/api/admin/roles"): "role names and permissions",
    ("POST", "/api/admin/keys"): "administrators only; a tracking key",
    ("DELETE", "/api/admin/keys/{key_id}"): "administrators only; 204",
    ("POST", "/api/admin/jobs/{name}/run"): "administrators only; runs a bank-wide job",
    ("GET", "/api/insight/tags/{tag_id}/versions"): "a tag's saved definitions (rules), no values",
    ("GET", "/api/insight/ml/features"): "names of the features a tree may use",
    ("DELETE", "/api/insight/tags/{tag_id}"): "204, or 403/404 naming only the tag",
    ("DELETE", "/api/insight/segments/{segment_id}"): "204, or 403/404/409 naming only segments",
    ("DELETE", "/api/insight/segment-sets/{set_id}"): "204, or 403/404",
    ("DELETE", "/api/analytics/saved/{analysis_id}"): "204, or 403/404",
    ("DELETE", "/api/dashboards/{dashboard_id}"): "204, or 403/404",
    ("DELETE", "/api/dashboards/{dashboard_id}/items/{item_id}"): "204, or 403/404",
    ("POST", "/v1/batch"): "ingestion: answers about the posted events only",
    ("POST", "/v1/import"): "ingestion: answers about the posted events only",
    ("POST", "/v1/track"): "ingestion: answers about the posted event only",
    ("POST", "/v1/identify"): "ingestion: answers about the posted event only",
    ("POST", "/v1/page"): "ingestion: answers about the posted event only",
    ("POST", "/v1/screen"): "ingestion: answers about the posted event only",
    ("POST", "/v1/group"): "ingestion: answers about the posted event only",
    ("POST", "/v1/alias"): "ingestion: answers about the posted event only",
    ("POST", "/api/auth/refresh"): "a new token for the caller's own session (from its cookie)",
    ("POST", "/api/auth/logout"): "ends the caller's own session; 204 (walking it would end the walker's)",
    ("POST", "/api/auth/password"): "changes the caller's own password; 204 (walking it would end other logins)",
    ("GET", "/api/admin/outbound-hosts"): "administrators only; host names outgoing calls may reach",
    ("POST", "/api/admin/outbound-hosts"): "administrators only; answers with the host allowed",
    ("DELETE", "/api/admin/outbound-hosts/{host}"): "administrators only; 204",
    ("GET", "/api/data/entities"): "data loaders only; the declared schema of the loadable entities",
    ("GET", "/api/data/attributes"): "data loaders only; the declared customer attributes (names and types)",
    ("PUT", "/api/data/attributes/{key}"): "data loaders only; declares an attribute, answers with its declaration",
    ("GET", "/api/data/sources"): "data loaders only; saved sources' connection (password masked) and query",
    ("GET", "/api/data/sources/{name}"): "data loaders only; one saved source's connection and query",
    ("PUT", "/api/data/sources/{name}"): "data loaders only; saves a source, answers with its configuration",
    # The first and last days with events and AUM snapshots across the bank: two dates, no row, count, sum or
    # ratio; a branch learns only that the bank has data on those days (what analysis pages open on).
    ("GET", "/api/analytics/extent"): "bank-wide first/last days with data: dates only",
    ("GET", "/api/policy/rules"): "the bank-wide contact-policy rules (caps, quiet hours): no customer",
    ("GET", "/api/policy/quiet-hours"): "the bank-wide quiet hours: two times of day",
    ("GET", "/api/policy/control-group"): "the control group's percentage and when it was drawn",
    ("GET", "/api/reach/variables"): "the placeholder catalogue, personas and scenes",
    ("POST", "/api/reach/templates"): "answers with the template made (its text, no customer data)",
    ("POST", "/api/reach/templates/validate"): "checks the posted template text; no customer data",
    ("GET", "/api/reach/templates/{template_id}"): "one template's text, or 404",
    ("PATCH", "/api/reach/templates/{template_id}"): "a template's text, or 403/404",
    ("POST", "/api/reach/templates/{template_id}/status"): "a template's text, or 403/404",
    ("POST", "/api/reach/templates/{template_id}/share"): "a template's text, or 403/404",
    ("GET", "/api/reach/templates/{template_id}/versions"): "a template's saved texts, or 404",
    ("GET", "/api/reach/sensitive-words"): "the bank-wide sensitive-word list",
    ("POST", "/api/reach/sensitive-words"): "administrators only; answers with the word added",
    ("DELETE", "/api/reach/sensitive-words/{word_id}"): "administrators only; 204",
    ("GET", "/api/reach/providers"): "administrators only; the provider kinds a channel may use",
    ("GET", "/api/reach/channels"): "administrators only; channel configurations (secrets as ***)",
    ("POST", "/api/reach/channels"): "administrators only; answers with the channel configured",
    ("PATCH", "/api/reach/channels/{channel_id}"): "administrators only; answers with the channel changed",
    ("DELETE", "/api/reach/channels/{channel_id}"): "administrators only; 204",
    ("POST", "/api/reach/channels/{channel_id}/test"): "administrators only; a test send to the address given",
    ("POST", "/api/reach/callbacks/{channel}/{channel_id}"): "vendors only (HMAC-signed): how many posted receipts "
                                                              "matched",
    ("GET", "/r/{token}"): "a tracked link: redirects to the URL stored with its unguessable token",
    ("GET", "/api/reach/callbacks/wechat/{channel_id}"): "WeChat's server-URL check (token signature): the echo "
                                                         "string, nothing about customers",
    ("GET", "/r/{token}/open.gif"): "an e-mail open pixel: a fixed 1x1 GIF whatever the token",
    ("GET", "/r/{token}/unsubscribe"): "the unsubscribe confirmation page: fixed text",
    ("POST", "/r/{token}/unsubscribe"): "one-click unsubscribe for the token's delivery: fixed text, no customer data",
    ("GET", "/v1/inbox/{customer_id}"): "the bank's app server (write key), for the customer it names",
    ("GET", "/v1/inbox/{customer_id}/unread"): "the bank's app server (write key), for the customer it names",
    ("POST", "/v1/inbox/{customer_id}/messages/{message_id}/read"): "the bank's app server (write key); 204",
    ("POST", "/v1/inbox/{customer_id}/messages/{message_id}/click"): "the bank's app server (write key); 204",
    ("DELETE", "/v1/inbox/{customer_id}/messages/{message_id}"): "the bank's app server (write key); 204",
    ("POST", "/sandbox/{channel}/send"): "the sandbox vendor: sandbox channels' API key; a message id",
    ("POST", "/sandbox/{channel}/reply"): "the sandbox vendor: sandbox channels' API key; an acknowledgement",
    ("POST", "/api/benefits/redemptions"): "the bank's systems only (API key); a user's token gets 401",
    ("GET", "/api/effects/strategies/{strategy_id}/fixed-costs"): "fixed costs an owner entered (amount, note)",
    ("POST", "/api/effects/fixed-costs"): "enters a strategy's fixed cost; answers with it",
    ("POST", "/api/effects/goals"): "states a strategy's target; answers with it (metric, value, period)",
    ("DELETE", "/api/effects/goals/{goal_id}"): "withdraws a target (owner org or above); 204",
    ("POST", "/api/campaign-api/claim"): "the bank's app server only (API key); a user's token gets 401",
    ("GET", "/api/benefits/status"): "where claims are decided and Redis's persistence settings; no customer data",
    ("GET", "/sandbox/aliyun/"): "the Aliyun SMS sandbox: the RPC signature of a sandbox channel; a BizId",
    ("POST", "/sandbox/jpush/v3/push"): "the JPush sandbox: Basic appKey:masterSecret of a sandbox channel; a msg_id",
    ("GET", "/sandbox/wechat/cgi-bin/token"): "the WeChat sandbox: appid + secret of a sandbox channel; a token",
    ("POST", "/sandbox/wechat/cgi-bin/message/template/send"): "the WeChat sandbox: a valid access_token; a msgid",
    ("POST", "/sandbox/call/{channel_id}/tasks"): "the AI-call sandbox: the channel's bearer key; an acknowledgement",
    ("GET", "/v1/placements/{slot}"): "the bank's app server (write key): the content a slot shows the customer "
                                      "it names",
    ("POST", "/v1/placements/{slot}/click"): "the bank's app server (write key); 204",
    ("GET", "/api/campaigns/templates"): "the template gallery: parameters and descriptions",
    ("POST", "/api/campaigns/templates/{template_id}/preview"): "compiles the posted parameters; no customer data",
    ("POST", "/api/campaigns"): "answers with the campaign made (its parameters), or 403",
    ("GET", "/api/approvals/rules"): "the bank-wide approval rules: types, amounts, orgs",
    ("POST", "/api/approvals/rules"): "administrators only; answers with the rule added",
    # The customer-facing campaign API answers the bank's servers (write key) and H5 pages (signed customer
    # token), never a console token: every call of B's is refused 401 before anything is read.
    **{(m, f"/api/campaign-api/campaigns/{{campaign_id}}/{a}"): "write key only; a console token gets 401"
       for m, a in [("POST", "join"), ("POST", "checkin"), ("POST", "draw"), ("POST", "invite-code"),
                    ("POST", "invite-accept"), ("POST", "actions"), ("POST", "claim"), ("GET", "eligibility"),
                    ("GET", "progress"), ("GET", "benefits"), ("POST", "h5-link")]},
    ("POST", "/api/campaign-api/h5/{token}/{action}"): "signed customer token only; anything else gets 401",
    ("GET", "/api/campaign-api/h5/{token}/progress"): "signed customer token only; anything else gets 401",
}

# Routes where every walked request of B's is refused (403 or 404): changing A's or head office's metrics and
# rules, and data loads, which are for data loaders only. An answer that does not differ between the banks (a
# change B was allowed to make) is no leak of A's customers, but it is B acting on what is not B's.
REFUSED = {("PATCH", "/api/monitor/metrics/{metric_id}"), ("DELETE", "/api/monitor/metrics/{metric_id}"),
           ("PATCH", "/api/monitor/alert-rules/{rule_id}"), ("DELETE", "/api/monitor/alert-rules/{rule_id}"),
           ("GET", "/api/data/loads"), ("GET", "/api/data/loads/{load_id}"),
           ("GET", "/api/data/loads/{load_id}/rejects"), ("POST", "/api/data/loads"),
           ("PUT", "/api/data/customers/{customer_id}"), ("POST", "/api/data/sources/{name}/run"),
           ("PUT", "/api/data/customers/{customer_id}/identities"), ("POST", "/api/data/identities:batch"),
           ("POST", "/api/policy/rules"), ("PUT", "/api/policy/rules/{rule_id}"),
           ("DELETE", "/api/policy/rules/{rule_id}"),
           ("PUT", "/api/policy/quiet-hours"), ("PUT", "/api/policy/control-group"),
           ("POST", "/api/policy/control-group/redraw"), ("POST", "/api/policy/dnc"),
           ("DELETE", "/api/policy/dnc/{customer_id}"),
           ("PUT", "/api/strategies/{strategy_id}"), ("POST", "/api/strategies/{strategy_id}/publish"),
           ("POST", "/api/strategies/{strategy_id}/pause"), ("POST", "/api/strategies/{strategy_id}/resume"),
           ("POST", "/api/strategies/{strategy_id}/stop"), ("POST", "/api/strategies/{strategy_id}/archive"),
           ("POST", "/api/strategies/{strategy_id}/enter"),
           ("POST", "/api/strategies/{strategy_id}/experiments/{node_id}/promote"),
           ("POST", "/api/reach/deliveries/{delivery_id}/retry"), ("POST", "/api/reach/rm-tasks/{task_id}/outcome"),
           ("PATCH", "/api/benefits/{benefit_id}"), ("POST", "/api/benefits/pools/{pool_id}/allocations"),
           ("POST", "/api/benefits/grants/{grant_id}/fulfilment"),
           ("PATCH", "/api/campaigns/{campaign_id}"), ("POST", "/api/campaigns/{campaign_id}/submit"),
           ("POST", "/api/campaigns/{campaign_id}/{action}"), ("POST", "/api/approvals/{approval_id}/decide"),
           ("GET", "/api/campaigns/referrals/held"), ("POST", "/api/campaigns/referrals/{referral_id}/review"),
           ("GET", "/api/campaigns/{campaign_id}/funnel"), ("GET", "/api/campaigns/{campaign_id}/invites")}

# Keys whose values are clocks and timings, not data: they differ between any two runs.
VOLATILE = {"created_at", "updated_at", "started_at", "trained_at", "elapsed_ms", "duration_ms", "compute_ms",
            "write_ms", "last_login_at", "acknowledged_at", "evaluated_at", "at", "received_at", "sent_at",
            "fired_at", "added_at", "due_at", "next_attempt_at", "delivered_at", "opened_at", "clicked_at",
            "outcome_at"}


def _a_customers(world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"a{i:02d}": {"name": f"广州{i}号", "org_code": A_ORG, "aum": world["aum"], "tier": world["tier"],
                          "gender": world["gender"], "rm_id": "RM-A", "phone": f"1390000{i:04d}",
                          "birth_date": date(1960 + i, 1, 1)} for i in range(1, world["n"] + 1)}


def _load(platform: Platform, world: dict[str, Any]) -> None:
    """The analytics bank (two Shenzhen customers, c1 in RM-B's book) plus branch A's world-specific customers."""
    add_rms(platform, {"RM-A": ("广州经理", A_ORG), "RM-B": ("深圳经理", B_ORG)})
    add_customers(platform, {cid: {**c, "rm_id": "RM-B" if cid == "c1" else None} for cid, c in CUSTOMERS.items()})
    a = _a_customers(world)
    add_customers(platform, a)
    events_for(platform, EVENTS)
    events_for(platform, {cid: [("app_open", h(i), {}), ("product_view", h(i + 1), {"product": "PA",
                                                                                     "amount": world["amount"]}),
                                ("purchase", h(i + 2), {"amount": world["amount"]}), ("app_open", h(i + 30), {})]
                          for i, cid in enumerate(a)})
    # Daily AUM from mid-January (enough history for A to train a decision tree), and purchases in the
    # tree's training and held-out horizons by every other A customer.
    add_aum_snapshots(platform, [(cid, T0.date() + timedelta(days=d), world["aum"]) for cid in a
                                 for d in range(-45, 19)])
    events_for(platform, {cid: [("purchase", datetime(2026, 3, day, 3), {"amount": world["amount"]})
                                for day in (16, 18)] for cid in list(a)[::2]})
    with platform.store.write() as cur:
        cur.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, NULL, 'app', NULL)",
                        [[f"TA{cid}", cid, h(5), "salary", "in", world["amount"]] for cid in a])
    add_products_and_holdings(platform, "a01", [("P-A", "广州专享理财", "理财", world["aum"])])
    # Addresses (the master's phone and e-mail, app users seen in events) and profiles, as loads leave them.
    identities.sync_master(platform=platform)
    identities.merge_events(platform=platform)
    profiles.refresh_profiles(platform=platform)
    profiles.refresh_best_hours(platform=platform, day=TODAY)  # 最佳时机's counts in the side panel


@dataclass
class Bank:
    """One bank built for the walk: its client, users' headers and the ids of what A and head office made."""

    client: TestClient
    platform: Platform
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    def call(self, who: str, method: str, url: str, expect: int | None = None, **kw: Any) -> Any:
        res = self.client.request(method, url, headers=self.headers[who], **kw)
        if expect is not None:
            assert res.status_code == expect, (who, method, url, res.text)
        return res.json() if res.headers.get("content-type", "").startswith("application/json") else res.text


@contextmanager
def bank(tmp: Path, world: dict[str, Any]) -> Iterator[Bank]:
    """A fresh bank at TODAY with A's and head office's objects made and the daily jobs run."""
    settings = Settings(data_dir=tmp / "data", start_background=True, scheduler=False)
    platform = open_platform(settings)
    platform.extras["clock"] = lambda: datetime(2026, 3, 20, 12)
    with platform.metadata.session() as session:
        gov.upsert_orgs(session=session, orgs=ORGS)
    _load(platform, world)
    platform.extras[ENGINE_RUNTIME] = _engine_runtime(world)
    users = {"root": ("admin", "HQ", None), "a_ops": ("branch_operator", "GD-GZ", None),
             "a_ana": ("analyst", A_ORG, None), "b_ops": ("branch_operator", "GD-SZ", None),
             "b_ana": ("analyst", B_ORG, None), "b_rm": ("rm", B_ORG, "RM-B")}
    with platform.metadata.session() as session:
        for name, (role, org, rm) in users.items():
            gov.create_user(session=session, data=UserCreate(username=name, password=PASSWORD, role=role,
                                                             org_code=org, rm_id=rm), actor="test")
    try:
        # A server error is not a leak (the same answer in both banks): it is compared, not raised.
        with TestClient(create_app(settings, platform=platform), raise_server_exceptions=False) as client:
            b = Bank(client=client, platform=platform)
            for name in users:
                token = client.post("/api/auth/login", json={"username": name, "password": PASSWORD}).json()
                b.headers[name] = {"Authorization": f"Bearer {token['access_token']}"}
            _make_objects(b, world)
            # Sends become events through ingestion, which lands them in DuckDB in the background: both banks are
            # walked only once everything they did is readable (else a late flush looks like a leak).
            flush_events(platform)
            assert ingestor_of(platform).flush(timeout=60)
            yield b
    finally:
        platform.close()


def _engine_runtime(world: dict[str, Any]) -> Runtime:
    """The journey engine on a fixed clock, knowing every customer's branch and RM."""
    orgs = {cid: c["org_code"] for cid, c in CUSTOMERS.items()} | {cid: A_ORG for cid in _a_customers(world)}
    rms = {"c1": "RM-B"} | {cid: "RM-A" for cid in _a_customers(world)}
    return Runtime(advance=advance, facts=DictFacts(orgs, default_org=None, rms=rms),
                   clock=lambda: datetime(2026, 3, 20, 4, tzinfo=UTC), worker_id="walk")


def _run_journey(b: Bank, world: dict[str, Any]) -> None:
    """A head-office journey that every customer entered (B's first, so instance numbers say nothing of A's)."""
    rt = b.platform.extras[ENGINE_RUNTIME]
    engine.activate(platform=b.platform, strategy_id=1, version=1, graph=send_delay_exit(), org_code="HQ")
    customers = sorted(CUSTOMERS) + sorted(_a_customers(world))
    engine.enter(platform=b.platform, rt=rt, strategy_id=1, node_id="in", customers=[(c, {}, "w") for c in customers])
    while engine.dispatch(platform=b.platform, rt=rt):
        pass


def _make_objects(b: Bank, world: dict[str, Any]) -> None:
    """What branch A and head office make, and the daily jobs over it (snapshots a week apart, alerts)."""
    ids = b.ids
    tag_keys = {t["key"]: t["id"] for t in b.call("root", "GET", "/api/insight/tags", 200)}
    ids["hq_tag"], ids["hq_number_tag"], ids["hq_age"] = tag_keys["aum_tier"], tag_keys["aum"] if "aum" in tag_keys \
        else tag_keys["txn_amount_90d"], tag_keys["age_band"]
    ids["a_tag"] = b.call("a_ops", "POST", "/api/insight/tags", 201, json={
        "key": "gz_rich", "name": "广州大户", "family": "business_value",
        "rule": {"kind": "rule", "cases": [{"value": "大户", "when": {
            "type": "attribute", "field": "aum", "op": "gt", "value": 1_000_000}}], "default": "普通"}})["id"]
    ids["a_number_tag"] = b.call("a_ops", "POST", "/api/insight/tags", 201, json={
        "key": "gz_purchases", "name": "广州购买额", "family": "preference",
        "rule": {"kind": "aggregate", "event": "purchase", "agg": "sum", "property": "amount",
                 "window": {"last_days": 60}, "filters": []}})["id"]
    ids["a_imported"] = b.call("a_ops", "POST", "/api/insight/tags", 201, json={
        "key": "gz_salon", "name": "广州沙龙", "family": "imported",
        "rule": {"kind": "imported", "value_type": "string"}})["id"]
    a_ids = sorted(_a_customers(A_WORLDS["big"]))
    b.call("a_ops", "POST", f"/api/insight/tags/{ids['a_imported']}/values", 200,
           files={"file": ("v.csv", "\n".join(f"{c},已参加" for c in a_ids).encode())},
           data={"day": str(EARLIER)})
    rich = {"type": "attribute", "field": "aum", "op": "gt", "value": 1000}
    ids["a_seg"] = b.call("a_ops", "POST", "/api/insight/segments", 201, json={
        "name": "广州有资产", "kind": "dynamic", "definition": rich})["id"]
    ids["a_static"] = b.call("a_ops", "POST", "/api/insight/segments", 201, json={
        "name": "广州冻结", "kind": "static", "definition": rich})["id"]
    ids["a_list"] = b.call("a_ops", "POST", "/api/insight/lists", 201, data={"name": "广州名单"},
                           files={"file": ("ids.csv", "\n".join(["c3", *a_ids]).encode())})["id"]
    ids["a_set"] = b.call("a_ops", "POST", "/api/insight/segment-sets", 201, json={
        "name": "广州攻坚", "strategy": "电话回访", "segment_ids": [ids["a_seg"], ids["a_static"]]})["id"]
    b.call("a_ops", "POST", f"/api/insight/segment-sets/{ids['a_set']}/share", 200, json={"all": True})
    ids["hq_seg"] = b.call("root", "POST", "/api/insight/segments", 201, json={
        "name": "全行有资产", "kind": "dynamic", "definition": rich})["id"]
    ids["hq_set"] = b.call("root", "POST", "/api/insight/segment-sets", 201, json={
        "name": "全行攻坚", "strategy": "短信", "segment_ids": [ids["hq_seg"]]})["id"]
    b.call("root", "POST", f"/api/insight/segment-sets/{ids['hq_set']}/share", 200, json={"all": True})
    customers = {"segment_ids": [str(ids["a_seg"])]}
    ids["a_saved"] = b.call("a_ana", "POST", "/api/analytics/saved", 201, json={
        "name": "广州漏斗", "model": "funnel", "shared": True, "query": {
            **MARCH, "steps": [{"event": "app_open"}, {"event": "purchase"}], "customers": customers}})["id"]
    ids["a_saved_trends"] = b.call("a_ana", "POST", "/api/analytics/saved", 201, json={
        "name": "广州趋势", "model": "trends", "shared": True, "query": {
            **MARCH, "series": [{"event": "purchase", "measure": "sum", "property": "amount"}]}})["id"]
    ids["a_board"] = b.call("a_ana", "POST", "/api/dashboards", 201, json={"name": "广州看板", "shared": True})["id"]
    ids["a_item"] = b.call("a_ana", "POST", f"/api/dashboards/{ids['a_board']}/items", 201,
                           json={"analysis_id": ids["a_saved"]})["id"]
    metric = {"source": "event", "event": {"event": "purchase"}, "measure": "sum", "property": "amount", "days": 30}
    ids["a_metric"] = b.call("a_ana", "POST", "/api/monitor/metrics", 201, json={
        "key": "gz.purchase", "name": "广州购买额", "definition": metric})["id"]
    ids["hq_metric"] = b.call("root", "POST", "/api/monitor/metrics", 201, json={
        "key": "hq.purchase", "name": "全行购买额", "definition": metric})["id"]
    ids["hq_aum_metric"] = b.call("root", "POST", "/api/monitor/metrics", 201, json={
        "key": "hq.aum", "name": "全行AUM", "definition": {"source": "attribute", "attribute_measure": "sum",
                                                         "attribute": "aum", "days": 1}})["id"]
    for rule, who, metric in (("a_rule", "a_ana", "a_metric"), ("hq_rule", "root", "hq_metric"),
                              ("hq_aum_rule", "root", "hq_aum_metric")):
        ids[rule] = b.call(who, "POST", "/api/monitor/alert-rules", 201, json={
            "metric_id": ids[metric], "name": f"规则{ids[metric]}", "op": "gt", "threshold": -1})["id"]
    # A data load naming A's customers (one row each, all rejected: the load fails and changes nothing), so that
    # its report and rejects exist for B to ask for.
    rows = "\n".join(f"{cid},{c['name']},{c['gender']},{c['phone']},,NOWHERE,RM-A,C3,1990-05-17"
                     for cid, c in _a_customers(world).items())
    failed = b.call("root", "POST", "/api/data/loads", 422, data={"entity": "customers"}, files={"file": (
        "a.csv", f"customer_id,name,gender,phone,id_number,org_code,rm_id,risk_level,birth_date\n{rows}\n".encode())})
    ids["a_load"] = failed["params"]["load_id"]
    for day in (EARLIER, TODAY):
        tag_tasks.run_daily(b.platform, day)
    segments.evaluate_dynamic(platform=b.platform, day=TODAY)
    alerts.evaluate(platform=b.platform, day=TODAY - timedelta(days=1))
    ids["alerts"] = [a["id"] for a in b.call("root", "GET", "/api/monitor/alerts", 200)]
    tree = b.call("a_ops", "POST", "/api/insight/ml/trees", 201, json={
        "name": "广州购买树", "target": "purchase", "features": ["age", "aum"], "min_leaf": 5, "horizon_days": 2})
    ids["a_tree"], ids["a_leaf"] = tree["id"], tree["nodes"][-1]["id"]
    # Strategies of A (entering A's segment, published) and of head office: B may neither see nor change them.
    journey = {"nodes": [{"id": "s", "type": "segment_entry", "segment_id": ids["a_seg"]},
                         {"id": "t", "type": "tag", "tag": "gz_salon"}], "edges": [{"source": "s", "target": "t"}]}
    ids["a_strategy"] = b.call("a_ops", "POST", "/api/strategies", 201,
                               json={"name": "广州策略", "graph": journey})["id"]
    b.call("a_ops", "POST", f"/api/strategies/{ids['a_strategy']}/publish", 200)
    ids["hq_strategy"] = b.call("root", "POST", "/api/strategies", 201, json={"name": "总行策略"})["id"]
    # B's own probe of A's customers: a tag and a segment naming A's org (they must come out empty).
    ids["b_tag"] = b.call("b_ops", "POST", "/api/insight/tags", 201, json={
        "key": "probe", "name": "探测", "family": "business_value", "rule": {"kind": "rule", "cases": [
            {"value": "是", "when": {"type": "group", "op": "and", "conditions": [
                {"type": "attribute", "field": "org_code", "op": "eq", "value": A_ORG},
                {"type": "attribute", "field": "aum", "op": "gt", "value": 50_000}]}}]}})["id"]
    ids["b_seg"] = b.call("b_ops", "POST", "/api/insight/segments", 201, json={
        "name": "探测客群", "kind": "static", "definition": {"type": "segment", "segment_id": ids["a_seg"]}})["id"]
    # Contact policy: A's customers on the do-not-contact list, opted out and suppressed; head office's c1 as well.
    ids["hq_rule_policy"] = b.call("root", "POST", "/api/policy/rules", 201, json={
        "name": "短信日限", "rule": {"kind": "cap", "window": "day", "limit": 1, "channel": "sms"}})["id"]
    b.call("root", "POST", "/api/policy/dnc", 201, json={"customer_id": "c1", "reason": "总行名单"})
    for cid in _a_customers(world):
        b.call("a_ops", "POST", "/api/policy/dnc", 201, json={"customer_id": cid, "reason": "广州投诉"})
    with b.platform.metadata.session() as session:
        for cid in ["c1", *_a_customers(world)]:
            record_opt_out(session=session, customer_id=cid, channel="push", purpose="marketing", source="回T退订")
    for cid in ["c1", "c2", *_a_customers(world)]:
        for channel in ("sms", "push"):
            policy_check(platform=b.platform, now=datetime(2026, 3, 20, 4), request=ContactRequest(
                key=f"walk-{cid}-{channel}", customer_id=cid, channel=channel, purpose="service", strategy_id=5,
                consents={"sms": True, "push": True}))
            policy_check(platform=b.platform, now=datetime(2026, 3, 20, 4), request=ContactRequest(
                key=f"walk-m-{cid}-{channel}", customer_id=cid, channel=channel, purpose="marketing",
                strategy_id=5, consents={"sms": True, "push": True}))

    # Templates of A and of head office (shared with the bank): B previews them for A's customers and its own.
    sms = {"channel": "sms", "content": {"body": "【魔方银行】{{客户.姓氏}}{{客户.称谓}}（{{客户.层级}}）回T退订"}}
    ids["a_tpl"] = b.call("a_ops", "POST", "/api/reach/templates", 201, json={"name": "广州短信", **sms})["id"]
    ids["hq_tpl"] = b.call("root", "POST", "/api/reach/templates", 201, json={"name": "全行短信", **sms})["id"]
    b.call("root", "POST", f"/api/reach/templates/{ids['hq_tpl']}/share", 200, json={"all": True})
    _run_experiment(b, sorted(CUSTOMERS))
    _run_journey(b, world)
    _reach(b, sorted(_a_customers(world)))
    _make_benefits(b, world)
    _effect_goals_and_touches(b, world)
    _run_experiment(b, sorted(_a_customers(world)))
    assert sum(a["entered"] for a in b.call("root", "GET", f"/api/strategies/{ids['hq_ab']}/experiments", 200)[
        "experiments"][0]["arms"]) > len(_a_customers(world))


def _run_experiment(b: Bank, customers: list[str]) -> None:
    """A head-office A/B test with a holdout; the bank's customers enter before the journey, A's after everything
    (instance numbers then say nothing of A's): B sees only its own arms."""
    graph = {"nodes": [{"id": "in", "type": "api_entry"},
                       {"id": "ab", "type": "ab_split", "control": "A",
                        "variants": [{"label": "A", "percent": 50}, {"label": "B", "percent": 50}]},
                       {"id": "ea", "type": "exit"}, {"id": "eb", "type": "exit"}],
             "edges": [{"source": "in", "target": "ab"}, {"source": "ab", "target": "ea", "label": "A"},
                       {"source": "ab", "target": "eb", "label": "B"}],
             "settings": {"holdout_percent": 20}}
    if "hq_ab" not in b.ids:
        b.ids["hq_ab"] = b.call("root", "POST", "/api/strategies", 201, json={"name": "总行实验", "graph": graph})["id"]
        b.call("root", "POST", f"/api/strategies/{b.ids['hq_ab']}/publish", 200)
    rt = b.platform.extras[ENGINE_RUNTIME]
    engine.enter(platform=b.platform, rt=rt, strategy_id=b.ids["hq_ab"], node_id="in",
                 customers=[(c, {}, "x") for c in customers])
    while engine.dispatch(platform=b.platform, rt=rt):
        pass


class _RefusingMail:
    """An e-mail provider that refuses every message, so that dead letters exist (a test fake, never a default)."""

    channel = "email"

    def send(self, *_args: Any, **_kw: Any) -> ProviderResult:
        return ProviderResult(accepted=False, reason="mailbox_full")

    def parse_receipt(self, *_args: Any) -> list[Any]:
        return []


def _effect_goals_and_touches(b: Bank, world: dict[str, Any]) -> None:
    """A head-office target on the journey everybody entered; a strategy converting on purchases whose messages
    touched B's c1 and A's customers (so attribution credits both branches' conversions)."""
    with b.platform.metadata.session() as s:
        s.add(EffectGoal(strategy_ids=[1], first_strategy_id=1, metric="incremental_conversions", target=5.0,
                         period_from=date(2026, 3, 1), period_to=date(2026, 3, 31), name="全行目标", org_code="HQ"))
        s.add(EngineVersion(strategy_id=77, version=1, org_code="HQ", status="stopped",
                            graph={"nodes": [{"id": "g", "type": "goal", "event": "purchase"}], "edges": []}))
        s.commit()
    touch = datetime(2026, 3, 19, 2)
    events_for(b.platform, {cid: [("message_delivered", touch, {"strategy_id": 77, "campaign_id": 1}),
                                  ("message_clicked", touch + timedelta(minutes=5), {"strategy_id": 1}),
                                  ("purchase", touch + timedelta(hours=1), {"amount": 1})]
                            for cid in ["c1", *sorted(_a_customers(world))]})


def _reach(b: Bank, a_ids: list[str]) -> None:
    """Deliveries to B's c1 first (same ids in both banks), then A's: dead letters, RM tasks, inbox messages."""
    b.platform.extras["reach_deps"] = Deps(providers={"email": _RefusingMail()})

    def send(cid: str, channel: str, key: str, **variables: Any) -> int:
        out = reach_send(platform=b.platform, request=SendRequest(
            customer_id=cid, channel=channel, idempotency_key=key, campaign_id=1, strategy_id=1,  # type: ignore[arg-type]
            # Service notices: A's customers are on the do-not-contact list above, which stops marketing only.
            purpose="service", variables={"content": "理财到期提醒", **variables}),
            now=datetime(2026, 3, 20, 12, tzinfo=UTC))
        assert out.delivery_id is not None, out
        return out.delivery_id

    send("c1", "rm_task", "walk-c1-task")
    send("c1", "inbox", "walk-c1-inbox")
    b.ids["a_dead"] = send("a01", "email", "walk-a01-mail")
    send("a01", "rm_task", "walk-a01-task")
    b.ids["a_task"] = 2  # c1's task is 1
    for cid in a_ids:
        send(cid, "inbox", f"walk-{cid}-inbox")
        send(cid, "email", f"walk-{cid}-mail2")


def _make_benefits(b: Bank, world: dict[str, Any]) -> None:
    """Head office's coupon with shares for A and B; B's customer c1 claims first, then every one of A's."""
    ids = b.ids
    ids["hq_benefit"] = b.call("root", "POST", "/api/benefits", 201, json={
        "name": "全行红包", "spec": {"kind": "cash", "amount_fen": 100}, "valid_days": 30})["id"]
    ids["a_benefit"] = b.call("a_ops", "POST", "/api/benefits", 201, json={
        "name": "广州礼品", "spec": {"kind": "physical", "item": "杯"}, "cost_fen": 900, "valid_days": 30})["id"]
    hq_pool = b.call("root", "POST", "/api/benefits/pools", 201, json={
        "benefit_id": ids["hq_benefit"], "campaign_id": 1, "stock": 100, "budget_fen": 10_000})["id"]
    ids["a_pool"] = b.call("root", "POST", f"/api/benefits/pools/{hq_pool}/allocations", 201, json={
        "org_code": "GD-GZ", "stock": 30, "budget_fen": 3_000})["id"]
    ids["b_pool"] = b.call("root", "POST", f"/api/benefits/pools/{hq_pool}/allocations", 201, json={
        "org_code": "GD-SZ", "stock": 30, "budget_fen": 3_000})["id"]
    a_gift_pool = b.call("a_ops", "POST", "/api/benefits/pools", 201, json={
        "benefit_id": ids["a_benefit"], "stock": 20, "budget_fen": 20_000})["id"]
    ids["b_grant"] = campaigns.claim(platform=b.platform, benefit_id=ids["hq_benefit"], customer_id="c1",
                                     idempotency_key="walk-c1", campaign_id=1, now=CLAIMED).grant_id
    a_grants = [campaigns.claim(platform=b.platform, benefit_id=bid, customer_id=cid, idempotency_key=f"{k}-{cid}",
                                campaign_id=camp, now=CLAIMED)
                for cid in sorted(_a_customers(world))
                for bid, camp, k in ((ids["hq_benefit"], 1, "walk"), (ids["a_benefit"], 0, "gift"))]
    ids["a_grant"] = a_grants[1].grant_id
    assert a_gift_pool and all(g.status == "issued" for g in a_grants), a_grants
    # A campaign of A's for A's segment, submitted: its checks count A's customers; B may neither read nor act.
    ids["a_campaign"] = b.call("a_ops", "POST", "/api/campaigns", 201, json={
        "name": "广州邀请", "template_id": "mgm", "segment_id": ids["a_seg"], "budget": 1000, "stock": 10,
        "params": {"inviter_benefit_id": 1, "invitee_benefit_id": 2}, "starts_at": "2026-03-01T00:00:00Z",
        "ends_at": "2026-04-01T00:00:00Z"})["id"]
    ids["a_approval"] = b.call("a_ops", "POST", f"/api/campaigns/{ids['a_campaign']}/submit", 200)["id"]


ANALYTICS: dict[str, dict[str, Any]] = {
    "trends": {**MARCH, "series": [{"event": "app_open"}, {"event": "purchase", "measure": "sum",
                                                            "property": "amount"}]},
    "funnel": {**MARCH, "steps": [{"event": "app_open"}, {"event": "product_view"}, {"event": "purchase"}],
               "group_by": {"kind": "attribute", "name": "tier"}},
    "retention": {**MARCH, "initial": {"event": "app_open"}, "returning": {"event": "app_open"}, "periods": 3},
    "paths": {**MARCH, "anchor": {"event": "app_open"}, "depth": 3},
    "attribution": {**MARCH, "conversion": {"event": "purchase"}, "touches": [{"event": "product_view"}]},
    "distribution": {**MARCH, "event": {"event": "app_open"}},
    "interval": {**MARCH, "first": {"event": "app_open"}, "then": {"event": "product_view"}},
    "properties": {"dimensions": [{"attribute": "tier"}, {"attribute": "gender"}]},
    "ltv": {"date_from": "2020-01-01", "date_to": "2020-01-31", "months": 2},
    "rfm": MARCH,
    "mau-aum": {"month_from": "2026-03-01", "month_to": "2026-03-01"},
}

Call = tuple[str, dict[str, Any]]  # (url, request keywords)


def walk_calls(ids: dict[str, Any]) -> dict[tuple[str, str], list[Call]]:
    """Every walked route and the requests B makes of it, aimed at A's and head office's objects."""
    tags = [ids[k] for k in ("a_tag", "a_number_tag", "a_imported", "hq_tag", "hq_number_tag", "b_tag")]
    segs = [ids[k] for k in ("a_seg", "a_static", "hq_seg", "b_seg")]
    sets = [ids["a_set"], ids["hq_set"]]
    saved = [ids["a_saved"], ids["a_saved_trends"]]
    defs = [{"type": "attribute", "field": "org_code", "op": "eq", "value": A_ORG},
            {"type": "attribute", "field": "aum", "op": "gt", "value": 1000},
            {"type": "segment", "segment_id": ids["a_seg"]}, {"type": "list", "list_id": ids["a_list"]}]
    in_a = {"customers": {"segment_ids": [str(ids["a_seg"])]}}
    a_only = {"customers": {"attributes": [{"attribute": "org_code", "op": "eq", "value": A_ORG}]}}
    tiers = {"segment_ids": [ids["a_seg"], ids["hq_seg"]], "start": str(TODAY), "end": str(TODAY)}
    csv = ("ids.csv", b"customer_id\nc3\na01\na02\nc1\n")
    metrics = ("a_metric", "hq_metric", "hq_aum_metric")
    strategies = [ids["a_strategy"], ids["hq_strategy"]]
    rules = ("a_rule", "hq_rule", "hq_aum_rule")
    calls: dict[tuple[str, str], list[Call]] = {
        ("GET", "/api/admin/users"): [("/api/admin/users", {})],
        ("GET", "/api/admin/keys"): [("/api/admin/keys", {})],
        ("GET", "/api/admin/audit"): [("/api/admin/audit", {})],
        ("GET", "/api/admin/jobs"): [("/api/admin/jobs", {})],
        ("GET", "/api/customers"): [("/api/customers", {"params": {"limit": 200}}),
                                    ("/api/customers", {"params": {"q": "a01"}})],
        ("GET", "/api/customers/{customer_id}"): [(f"/api/customers/{c}", {}) for c in ("a01", "c3", "c1")],
        ("GET", "/api/customers/{customer_id}/events"): [(f"/api/customers/{c}/events", {}) for c in ("a01", "c1")],
        ("GET", "/api/customers/{customer_id}/journeys"): [(f"/api/customers/{c}/journeys", {})
                                                           for c in ("a01", "c3", "c1")],
        ("GET", "/api/strategies/{strategy_id}/stats"): [("/api/strategies/1/stats", {}),
                                                         ("/api/strategies/1/stats", {"params": {"version": 1}})],
        # A target event's propensity model: bank-wide held-out figures for head office only, counts in scope.
        ("GET", "/api/strategies/models/propensity"): [("/api/strategies/models/propensity", {"params": {"event": e}})
                                                       for e in ("app_open", "purchase", "nope")],
        ("POST", "/api/strategies/models/propensity"): [("/api/strategies/models/propensity",
                                                         {"params": {"event": "purchase"}})],
        ("GET", "/api/strategies/models/best-time"): [("/api/strategies/models/best-time", {})],
        ("GET", "/api/strategies/{strategy_id}/experiments"): [(f"/api/strategies/{s}/experiments", {})
                                                               for s in (*strategies, ids["hq_ab"])],
        ("POST", "/api/strategies/{strategy_id}/experiments/{node_id}/promote"): [
            (f"/api/strategies/{s}/experiments/ab/promote", {"json": {"variant": "B"}})
            for s in (ids["a_strategy"], ids["hq_ab"])],
        ("GET", "/api/strategies/{strategy_id}/nodes/{node_id}/customers"): [
            (f"/api/strategies/1/nodes/{n}/customers", {}) for n in ("in", "wait")],
        ("POST", "/api/strategies/{strategy_id}/enter"): [("/api/strategies/1/enter", {"json": {
            "customer_id": c, "idempotency_key": "probe"}}) for c in ("a01", "c1")],
        ("GET", "/api/insight/tags"): [("/api/insight/tags", {})],
        ("POST", "/api/insight/tags"): [("/api/insight/tags", {"json": {
            "key": "probe2", "name": "探测2", "family": "business_value",
            "rule": {"kind": "attribute", "field": "aum"}}})],
        ("GET", "/api/insight/tags/{tag_id}"): [(f"/api/insight/tags/{t}", {}) for t in tags],
        ("PATCH", "/api/insight/tags/{tag_id}"): [(f"/api/insight/tags/{t}", {"json": {"name": "改名"}})
                                                  for t in (ids["a_tag"], ids["b_tag"])],
        ("POST", "/api/insight/tags/{tag_id}/run"): [
            (f"/api/insight/tags/{ids['a_tag']}/run", {"json": {}}),
            (f"/api/insight/tags/{ids['hq_age']}/run", {"json": {"day": str(EARLIER)}}),
            (f"/api/insight/tags/{ids['b_tag']}/run", {"json": {}})],
        ("GET", "/api/insight/tags/{tag_id}/runs"): [(f"/api/insight/tags/{t}/runs", {}) for t in tags],
        ("GET", "/api/insight/tags/{tag_id}/distribution"): [
            *[(f"/api/insight/tags/{t}/distribution", {}) for t in tags],
            (f"/api/insight/tags/{ids['a_imported']}/distribution", {"params": {"day": str(EARLIER)}})],
        ("GET", "/api/insight/tags/{tag_id}/history"): [(f"/api/insight/tags/{t}/history", {}) for t in tags],
        ("POST", "/api/insight/tags/{tag_id}/values"): [
            (f"/api/insight/tags/{ids['a_imported']}/values", {"files": {"file": csv}})],
        ("GET", "/api/insight/catalogue"): [("/api/insight/catalogue", {})],
        ("POST", "/api/insight/segments/estimate"): [("/api/insight/segments/estimate", {"json": {"definition": d}})
                                                     for d in defs],
        ("POST", "/api/insight/segments/composition"): [
            ("/api/insight/segments/composition", {"json": {"definition": d}}) for d in defs],
        ("GET", "/api/insight/segments"): [("/api/insight/segments", {})],
        ("POST", "/api/insight/segments"): [("/api/insight/segments", {"json": {
            "name": "探测静态", "kind": "static", "definition": d}}) for d in defs],
        ("GET", "/api/insight/segments/{segment_id}"): [(f"/api/insight/segments/{s}", {}) for s in segs],
        ("PATCH", "/api/insight/segments/{segment_id}"): [(f"/api/insight/segments/{s}", {"json": {"name": "改"}})
                                                          for s in segs],
        ("GET", "/api/insight/segments/{segment_id}/members"): [
            (f"/api/insight/segments/{s}/members", {"params": {"limit": 200}}) for s in segs],
        ("GET", "/api/insight/segments/{segment_id}/composition"): [
            (f"/api/insight/segments/{s}/composition", {}) for s in segs],
        ("GET", "/api/insight/segments/{segment_id}/snapshots"): [
            (f"/api/insight/segments/{s}/snapshots", {}) for s in segs],
        ("GET", "/api/insight/segments/{segment_id}/export.csv"): [
            (f"/api/insight/segments/{s}/export.csv", {}) for s in segs],
        ("GET", "/api/insight/lists"): [("/api/insight/lists", {})],
        ("POST", "/api/insight/lists"): [("/api/insight/lists", {"data": {"name": "探测名单"},
                                                                 "files": {"file": csv}})],
        ("GET", "/api/insight/segment-sets"): [("/api/insight/segment-sets", {})],
        ("POST", "/api/insight/segment-sets"): [("/api/insight/segment-sets", {"json": {
            "name": "探测集", "strategy": "x", "segment_ids": [ids["b_seg"]]}})],
        ("GET", "/api/insight/segment-sets/{set_id}"): [(f"/api/insight/segment-sets/{s}", {}) for s in sets],
        ("PATCH", "/api/insight/segment-sets/{set_id}"): [(f"/api/insight/segment-sets/{s}", {"json": {"name": "改"}})
                                                          for s in sets],
        ("POST", "/api/insight/segment-sets/{set_id}/share"): [
            (f"/api/insight/segment-sets/{s}/share", {"json": {"all": True}}) for s in sets],
        ("POST", "/api/insight/segment-sets/{set_id}/reference"): [
            (f"/api/insight/segment-sets/{s}/reference", {}) for s in sets],
        ("DELETE", "/api/insight/segment-sets/{set_id}/reference"): [
            (f"/api/insight/segment-sets/{s}/reference", {}) for s in sets],
        ("POST", "/api/insight/flows"): [
            ("/api/insight/flows", {"json": {"tag": "aum_tier", "start": str(EARLIER), "end": str(TODAY)}}),
            ("/api/insight/flows", {"json": {"tag": "gz_rich", "start": str(EARLIER), "end": str(TODAY)}}),
            ("/api/insight/flows", {"json": tiers})],
        ("GET", "/api/insight/flows/trend"): [
            ("/api/insight/flows/trend", {"params": {"tag": t, "days": [str(EARLIER), str(TODAY)]}})
            for t in ("aum_tier", "gz_rich")] + [
            ("/api/insight/flows/trend", {"params": {"segment_ids": tiers["segment_ids"], "days": [str(TODAY)]}})],
        ("POST", "/api/insight/flows/segment"): [
            ("/api/insight/flows/segment", {"json": {"tag": "gz_rich", "start": str(EARLIER), "end": str(TODAY),
                                                     "source": "大户", "target": "大户", "name": "探测流向"}}),
            ("/api/insight/flows/segment", {"json": {**tiers, "source": "广州有资产", "target": "广州有资产",
                                                     "name": "探测流向2"}})],
        ("GET", "/api/insight/ml/trees"): [("/api/insight/ml/trees", {})],
        ("POST", "/api/insight/ml/trees"): [("/api/insight/ml/trees", {"json": {
            "target": "purchase", "features": ["age", "aum"], "min_leaf": 5, "horizon_days": 2}})],
        ("GET", "/api/insight/ml/trees/{tree_id}"): [(f"/api/insight/ml/trees/{ids['a_tree']}", {})],
        ("POST", "/api/insight/ml/trees/{tree_id}/leaves/{node_id}/segment"): [
            (f"/api/insight/ml/trees/{ids['a_tree']}/leaves/{ids['a_leaf']}/segment", {"json": {}})],
        ("GET", "/api/insight/ml/churn"): [("/api/insight/ml/churn", {})],
        ("PUT", "/api/insight/ml/churn/rules"): [("/api/insight/ml/churn/rules", {"json": {}})],
        ("POST", "/api/insight/ml/churn/train"): [("/api/insight/ml/churn/train", {})],
        ("GET", "/api/insight/ml/churn/customers"): [("/api/insight/ml/churn/customers", {"params": {"level": lv}})
                                                     for lv in ("高", "中", "低")],
        ("POST", "/api/insight/ml/churn/segment"): [("/api/insight/ml/churn/segment", {})],
        ("GET", "/api/tracking/status"): [("/api/tracking/status", {})],
        ("GET", "/api/analytics/saved"): [("/api/analytics/saved", {})],
        ("POST", "/api/analytics/saved"): [("/api/analytics/saved", {"json": {
            "name": "探测", "model": "funnel", "query": {**MARCH, "steps": [{"event": "app_open"},
                                                                           {"event": "purchase"}], **in_a}}})],
        ("GET", "/api/analytics/saved/{analysis_id}"): [(f"/api/analytics/saved/{s}", {}) for s in saved],
        ("PUT", "/api/analytics/saved/{analysis_id}"): [(f"/api/analytics/saved/{s}", {"json": {
            "name": "改", "model": "rfm", "query": MARCH}}) for s in saved],
        ("POST", "/api/analytics/saved/{analysis_id}/run"): [(f"/api/analytics/saved/{s}/run", {}) for s in saved],
        ("POST", "/api/analytics/saved/{analysis_id}/export"): [(f"/api/analytics/saved/{s}/export", {})
                                                                for s in saved],
        ("POST", "/api/analytics/{model}/export"): [(f"/api/analytics/{m}/export", {"json": body})
                                                    for m, body in ANALYTICS.items()],
        ("GET", "/api/dashboards"): [("/api/dashboards", {})],
        ("POST", "/api/dashboards"): [("/api/dashboards", {"json": {"name": "探测看板"}})],
        ("GET", "/api/dashboards/{dashboard_id}"): [(f"/api/dashboards/{ids['a_board']}", {})],
        ("PUT", "/api/dashboards/{dashboard_id}"): [(f"/api/dashboards/{ids['a_board']}", {"json": {"name": "改"}})],
        ("POST", "/api/dashboards/{dashboard_id}/items"): [
            (f"/api/dashboards/{ids['a_board']}/items", {"json": {"analysis_id": ids["a_saved"]}})],
        ("PUT", "/api/dashboards/{dashboard_id}/items"): [
            (f"/api/dashboards/{ids['a_board']}/items", {"json": {"item_ids": [ids["a_item"]]}})],
        ("PATCH", "/api/dashboards/{dashboard_id}/items/{item_id}"): [
            (f"/api/dashboards/{ids['a_board']}/items/{ids['a_item']}", {"json": {"size": "full"}})],
        ("POST", "/api/analytics/funnel/dropoffs"): [("/api/analytics/funnel/dropoffs", {"json": {
            "query": {**ANALYTICS["funnel"], **q}, "step": 2, "name": "探测流失"}}) for q in ({}, in_a, a_only)],
        ("GET", "/api/monitor/metrics"): [("/api/monitor/metrics", {})],
        ("POST", "/api/monitor/metrics"): [("/api/monitor/metrics", {"json": {
            "key": "probe.aum", "name": "探测", "definition": {"source": "attribute", "attribute_measure": "sum",
                                                               "attribute": "aum", "days": 1, **a_only}}})],
        ("GET", "/api/monitor/metrics/{metric_id}/value"): [
            (f"/api/monitor/metrics/{ids[m]}/value", {"params": {"day": str(TODAY - timedelta(days=1))}})
            for m in ("a_metric", "hq_metric", "hq_aum_metric")],
        ("GET", "/api/monitor/alert-rules"): [("/api/monitor/alert-rules", {})],
        ("POST", "/api/monitor/alert-rules"): [("/api/monitor/alert-rules", {"json": {
            "metric_id": ids["hq_metric"], "name": "探测规则", "op": "gt", "threshold": 0}})],
        ("GET", "/api/monitor/alerts"): [("/api/monitor/alerts", {})],
        ("POST", "/api/monitor/alerts/{alert_id}/ack"): [(f"/api/monitor/alerts/{a}/ack", {})
                                                         for a in ids["alerts"]],
        ("GET", "/api/monitor/metrics/{metric_id}/trend"): [
            (f"/api/monitor/metrics/{ids[m]}/trend", {"params": {"day": str(TODAY - timedelta(days=1)), "days": 3}})
            for m in metrics],
        ("PATCH", "/api/monitor/metrics/{metric_id}"): [(f"/api/monitor/metrics/{ids[m]}", {"json": {"name": "改"}})
                                                         for m in metrics],
        ("PATCH", "/api/monitor/alert-rules/{rule_id}"): [
            (f"/api/monitor/alert-rules/{ids[r]}", {"json": {"threshold": 5}}) for r in rules],
        # The bell before the alerts are marked read (so that an unread count of another branch's alerts shows).
        ("GET", "/api/monitor/alerts/inbox"): [("/api/monitor/alerts/inbox", {"params": {"limit": 50}})],
        ("POST", "/api/monitor/alerts/{alert_id}/read"): [(f"/api/monitor/alerts/{a}/read", {})
                                                          for a in ids["alerts"]],
        ("POST", "/api/monitor/alerts/read-all"): [("/api/monitor/alerts/read-all", {})],
        ("GET", "/api/analytics/values"): [("/api/analytics/values", {"params": p}) for p in (
            {"source": "attribute", "key": "tier"}, {"source": "attribute", "key": "org_code", "check": A_ORG},
            {"source": "events", "key": "amount", "event": "purchase", "check": "77777.0"},
            {"source": "events", "key": "product", "check": "PA"}, {"source": "events", "key": "$channel"},
            {"source": "transactions", "key": "txn_type", "check": "salary"})],
        # Data loads are for data loaders (administrators): a branch gets 403 and nothing of A's load.
        ("GET", "/api/data/loads"): [("/api/data/loads", {})],
        ("GET", "/api/data/loads/{load_id}"): [(f"/api/data/loads/{ids['a_load']}", {})],
        ("GET", "/api/data/loads/{load_id}/rejects"): [(f"/api/data/loads/{ids['a_load']}/rejects", {})],
        ("POST", "/api/data/loads"): [("/api/data/loads", {"data": {"entity": "customers"}, "files": {"file": csv}})],
        ("PUT", "/api/data/customers/{customer_id}"): [
            (f"/api/data/customers/{c}", {"json": {"fields": {"org_code": B_ORG}}}) for c in ("a01", "c1")],
        ("POST", "/api/data/sources/{name}/run"): [("/api/data/sources/a_core/run", {"json": {"mode": "full"}})],
        ("PUT", "/api/data/customers/{customer_id}/identities"): [
            (f"/api/data/customers/{c}/identities", {"json": {"identities": [{"kind": "mobile",
                                                                              "value": "13800000000"}]}})
            for c in ("a01", "c1")],
        ("POST", "/api/data/identities:batch"): [("/api/data/identities:batch", {"json": {
            "idempotency_key": "probe", "items": [{"customer_id": "a01", "kind": "app_user", "value": "x"}]}})],
        # Coverage of addresses per channel: counted over the customers the viewer may see.
        ("GET", "/api/data/identities/coverage"): [("/api/data/identities/coverage", {})],
        ("GET", "/api/policy/dnc"): [("/api/policy/dnc", {"params": p}) for p in (
            {}, {"customer_id": "a01"}, {"customer_id": "c1"}, {"limit": 500})],
        ("GET", "/api/policy/opt-outs"): [("/api/policy/opt-outs", {"params": p}) for p in (
            {}, {"customer_id": "a01"}, {"customer_id": "c1"})],
        ("GET", "/api/policy/suppressions"): [("/api/policy/suppressions", {"params": p}) for p in (
            {}, {"customer_id": "a01"}, {"customer_id": "c1"}, {"strategy_id": 5}, {"strategy_id": 5, "limit": 1})],
        ("POST", "/api/policy/check"): [("/api/policy/check", {"json": {"customer_id": c, "channel": ch}})
                                        for c in ("a01", "a11", "c1", "c2") for ch in ("sms", "push")],
        ("POST", "/api/policy/rules"): [("/api/policy/rules", {"json": {
            "name": "探测", "rule": {"kind": "cap", "window": "day", "limit": 0}}})],
        ("PUT", "/api/policy/rules/{rule_id}"): [(f"/api/policy/rules/{ids['hq_rule_policy']}", {"json": {
            "name": "探测", "enabled": False, "rule": {"kind": "cap", "window": "day", "limit": 0}}})],
        ("PUT", "/api/policy/quiet-hours"): [("/api/policy/quiet-hours", {"json": {"start": "00:00",
                                                                                  "end": "23:59"}})],
        ("PUT", "/api/policy/control-group"): [("/api/policy/control-group", {"json": {"percent": 50}})],
        ("POST", "/api/policy/control-group/redraw"): [("/api/policy/control-group/redraw", {})],
        ("POST", "/api/policy/dnc"): [("/api/policy/dnc", {"json": {"customer_id": c, "reason": "探测"}})
                                      for c in ("a01", "a11", "c3")],
        ("DELETE", "/api/policy/dnc/{customer_id}"): [(f"/api/policy/dnc/{c}", {}) for c in ("a01", "a11")],
        ("GET", "/api/strategies"): [("/api/strategies", {})],
        ("POST", "/api/strategies"): [("/api/strategies", {"json": {"name": "探测策略", "graph": {"nodes": [
            {"id": "s", "type": "segment_entry", "segment_id": ids["a_seg"]}]}}})],
        ("GET", "/api/strategies/catalogue"): [("/api/strategies/catalogue", {}), (
            "/api/strategies/catalogue", {"params": {"strategy_id": ids["a_strategy"]}})],
        ("GET", "/api/strategies/{strategy_id}"): [(f"/api/strategies/{s}", {}) for s in strategies],
        ("POST", "/api/strategies/{strategy_id}/validate"): [(f"/api/strategies/{s}/validate", {})
                                                             for s in strategies],
        ("GET", "/api/strategies/{strategy_id}/versions"): [(f"/api/strategies/{s}/versions", {})
                                                            for s in strategies],
        ("GET", "/api/strategies/{strategy_id}/versions/{version}"): [(f"/api/strategies/{s}/versions/1", {})
                                                                      for s in strategies],
        ("PUT", "/api/strategies/{strategy_id}"): [(f"/api/strategies/{s}", {"json": {"name": "改"}})
                                                   for s in strategies],
        **{("POST", f"/api/strategies/{{strategy_id}}/{action}"): [(f"/api/strategies/{s}/{action}", {})
                                                                   for s in strategies]
           for action in ("publish", "pause", "resume", "stop", "archive")},
        ("GET", "/api/reach/deliveries"): [("/api/reach/deliveries", {"params": p}) for p in (
            {"limit": 500}, {"customer_id": "a01"}, {"campaign_id": 1}, {"channel": "email"}, {"status": "failed"})],
        ("GET", "/api/reach/dead-letters"): [("/api/reach/dead-letters", {"params": {"limit": 500}})],
        ("POST", "/api/reach/deliveries/{delivery_id}/retry"): [(f"/api/reach/deliveries/{ids['a_dead']}/retry", {})],
        ("GET", "/api/reach/stats/daily"): [("/api/reach/stats/daily", {"params": {"days": 366}})],
        ("GET", "/api/reach/rm-tasks"): [("/api/reach/rm-tasks", {"params": p}) for p in (
            {}, {"state": "open"}, {"state": "overdue"}, {"limit": 500})],
        ("POST", "/api/reach/rm-tasks/{task_id}/outcome"): [
            (f"/api/reach/rm-tasks/{ids['a_task']}/outcome", {"json": {"outcome": "reached"}})],
        ("GET", "/api/benefits"): [("/api/benefits", {})],
        ("POST", "/api/benefits"): [("/api/benefits", {"json": {
            "name": "探测券", "spec": {"kind": "cash", "amount_fen": 1}, "valid_days": 1}})],
        ("GET", "/api/benefits/{benefit_id}"): [(f"/api/benefits/{ids[k]}", {}) for k in ("hq_benefit", "a_benefit")],
        ("PATCH", "/api/benefits/{benefit_id}"): [(f"/api/benefits/{ids[k]}", {"json": {"name": "改"}})
                                                  for k in ("hq_benefit", "a_benefit")],
        ("GET", "/api/benefits/{benefit_id}/burndown"): [
            (f"/api/benefits/{ids['hq_benefit']}/burndown", {"params": {"campaign_id": 1}}),
            (f"/api/benefits/{ids['a_benefit']}/burndown", {})],
        ("GET", "/api/benefits/pools"): [("/api/benefits/pools", {})],
        ("POST", "/api/benefits/pools"): [("/api/benefits/pools", {"json": {
            "benefit_id": ids[k], "campaign_id": c, "stock": 1, "budget_fen": 1}})
            for k, c in (("hq_benefit", 1), ("a_benefit", 0), ("hq_benefit", 2))],
        ("POST", "/api/benefits/pools/{pool_id}/allocations"): [
            (f"/api/benefits/pools/{ids['a_pool']}/allocations", {"json": {
                "org_code": "GD-GZ-001", "stock": 1, "budget_fen": 1}})],
        ("GET", "/api/benefits/ledger"): [("/api/benefits/ledger", {"params": p}) for p in (
            {"limit": 500}, {"customer_id": "a01"}, {"benefit_id": ids["a_benefit"]})],
        ("POST", "/api/benefits/grants/{grant_id}/fulfilment"): [
            (f"/api/benefits/grants/{ids['a_grant']}/fulfilment", {"json": {"status": "shipped"}})],
        ("GET", "/api/benefits/reconciliation"): [("/api/benefits/reconciliation", {})],
        ("GET", "/api/effects/strategies/{strategy_id}"): [("/api/effects/strategies/1", {}), (
            "/api/effects/strategies/1", {"params": {"value_per_conversion": 100, "benefit_basis": "redeemed"}})],
        ("GET", "/api/effects/campaigns/{campaign_id}"): [("/api/effects/campaigns/1", {"params": {
            "strategy_ids": [1, 5]}})],
        ("GET", "/api/effects/portfolio"): [("/api/effects/portfolio", {"params": {
            "date_from": "2026-01-01", "date_to": "2026-12-31"}})],
        ("GET", "/api/effects/portfolio.csv"): [("/api/effects/portfolio.csv", {"params": {
            "date_from": "2026-01-01", "date_to": "2026-12-31"}})],
        ("GET", "/api/effects/goals"): [("/api/effects/goals", {"params": {"strategy_ids": [1]}})],
        ("GET", "/api/effects/attribution"): [("/api/effects/attribution", {"params": p}) for p in (
            {"strategy_ids": [77]}, {"strategy_ids": [77], "rule": "linear"},
            {"strategy_ids": [77], "campaign_id": 1, "rule": "first"})],
        ("GET", "/api/effects/incremental"): [("/api/effects/incremental", {"params": {
            "date_from": "2026-01-01", "date_to": "2026-12-31"}})],
        ("GET", "/api/effects/global-control"): [("/api/effects/global-control", {"params": {
            "month_from": "2026-01-01", "month_to": "2026-04-01"}})],
        ("GET", "/api/benefits/reconciliation/export.csv"): [("/api/benefits/reconciliation/export.csv", {})],
        ("GET", "/api/data/quality"): [("/api/data/quality", {})],
        # Last: were B allowed to delete A's or head office's rules and metrics, what follows would change.
        ("DELETE", "/api/monitor/alert-rules/{rule_id}"): [(f"/api/monitor/alert-rules/{ids[r]}", {}) for r in rules],
        ("DELETE", "/api/monitor/metrics/{metric_id}"): [(f"/api/monitor/metrics/{ids[m]}", {}) for m in metrics],
        ("DELETE", "/api/policy/rules/{rule_id}"): [(f"/api/policy/rules/{ids['hq_rule_policy']}", {})],
        ("GET", "/api/reach/templates"): [("/api/reach/templates", {})],
        ("GET", "/api/campaigns"): [("/api/campaigns", {})],
        ("GET", "/api/campaigns/calendar"): [("/api/campaigns/calendar", {})],
        ("GET", "/api/campaigns/{campaign_id}"): [(f"/api/campaigns/{ids['a_campaign']}", {})],
        ("GET", "/api/campaigns/{campaign_id}/checks"): [(f"/api/campaigns/{ids['a_campaign']}/checks", {})],
        ("GET", "/api/campaigns/{campaign_id}/approvals"): [(f"/api/campaigns/{ids['a_campaign']}/approvals", {})],
        ("GET", "/api/campaigns/{campaign_id}/funnel"): [(f"/api/campaigns/{ids['a_campaign']}/funnel", {})],
        ("GET", "/api/campaigns/{campaign_id}/invites"): [(f"/api/campaigns/{ids['a_campaign']}/invites", {})],
        ("PATCH", "/api/campaigns/{campaign_id}"): [(f"/api/campaigns/{ids['a_campaign']}", {"json": {"name": "改"}})],
        ("POST", "/api/campaigns/{campaign_id}/submit"): [(f"/api/campaigns/{ids['a_campaign']}/submit", {})],
        ("POST", "/api/campaigns/{campaign_id}/{action}"): [(f"/api/campaigns/{ids['a_campaign']}/{a}", {})
                                                            for a in ("launch", "pause", "end", "archive")],
        ("GET", "/api/campaigns/referrals/held"): [("/api/campaigns/referrals/held", {}), (
            "/api/campaigns/referrals/held", {"params": {"campaign_id": ids["a_campaign"]}})],
        ("POST", "/api/campaigns/referrals/{referral_id}/review"): [
            ("/api/campaigns/referrals/1/review", {"json": {"release": True}})],
        ("GET", "/api/approvals"): [("/api/approvals", {}), ("/api/approvals", {"params": {"status": "approved"}})],
        ("POST", "/api/approvals"): [("/api/approvals", {"json": {
            "object_type": "strategy", "object_id": "1", "title": "探测"}})],
        ("GET", "/api/approvals/{approval_id}"): [(f"/api/approvals/{ids['a_approval']}", {})],
        ("POST", "/api/approvals/{approval_id}/decide"): [(f"/api/approvals/{ids['a_approval']}/decide",
                                                          {"json": {"approve": True}})],
        ("POST", "/api/reach/templates/{template_id}/preview"): [
            (f"/api/reach/templates/{ids[t]}/preview", {"json": {"customer_id": c}})
            for t in ("a_tpl", "hq_tpl") for c in ("a01", "c3", "c1")],
    }
    for model, body in ANALYTICS.items():
        calls[("POST", f"/api/analytics/{model}")] = [(f"/api/analytics/{model}", {"json": {**body, **extra}})
                                                      for extra in ({}, in_a, a_only)]
    return calls


def _normal(value: Any) -> Any:
    """An answer without its clocks and timings."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def walk(b: Bank, users: dict[str, Callable[[str], bool]]) -> dict[tuple[str, str, str, int], Any]:
    """(user, method, route, n) → (status, answer) of every walked request."""
    calls = walk_calls(b.ids)
    routes = {(m.upper(), p) for p, ops in b.client.app.openapi()["paths"].items() for m in ops}
    unclassified = routes - set(calls) - set(NO_CUSTOMER_DATA)
    assert not unclassified, f"classify these routes (walk them, or say why they carry no customer data): " \
                             f"{sorted(unclassified)}"
    assert not (set(calls) | set(NO_CUSTOMER_DATA)) - routes, "the walk names routes that no longer exist"
    out: dict[tuple[str, str, str, int], Any] = {}
    sent.clear()
    for who, walks in users.items():
        for (method, route), requests in calls.items():
            if not walks(route):
                continue
            for n, (url, kw) in enumerate(requests):
                res = b.client.request(method, url, headers=b.headers[who], **kw)
                text = res.text
                body = _normal(json.loads(text)) if "json" in res.headers.get("content-type", "") and text else text
                out[(who, method, route, n)] = (res.status_code, body)
                sent[(who, method, route, n)] = url + json.dumps(kw, ensure_ascii=False, default=str)
    return out


# B's branch operator and RM walk everything; B's analyst (same scope as the operator, plus the export
# permission the operator lacks) walks the exports.
B_USERS: dict[str, Callable[[str], bool]] = {"b_ops": lambda _route: True, "b_rm": lambda _route: True,
                                             "b_ana": lambda route: "export" in route}
sent: dict[tuple[str, str, str, int], str] = {}  # what each walked request sent, as text


@pytest.mark.timeout(240)
def test_branch_b_learns_nothing_of_branch_a_customers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Twelve logins need not cost twelve seconds of Argon2: cheap parameters (the hash records its own).
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    answers = {}
    for name, world in A_WORLDS.items():
        with bank(tmp_path / name, world) as b:
            if name == "big":  # the setup really made A's data visible to A (so emptiness below means scope)
                seg = b.call("a_ops", "GET", f"/api/insight/segments/{b.ids['a_seg']}/members", 200)
                assert seg["total"] == world["n"] + 1  # A's own customers, and c3
                # ... and A's deliveries: two per customer, a dead letter and an RM task for a01.
                assert b.call("a_ops", "GET", "/api/reach/deliveries", 200)["total"] == 2 * world["n"] + 2
                assert b.call("a_ops", "GET", "/api/reach/dead-letters", 200)["total"] == world["n"] + 1
            answers[name] = walk(b, B_USERS)
    allowed = [(k, status) for k, (status, _) in answers["big"].items()
               if k[1:3] in REFUSED and status not in (403, 404)]
    assert not allowed, f"B may change what is not B's, or read data loads: {allowed}"
    leaks = [k for k in answers["big"] if answers["big"][k] != answers["small"].get(k)]
    assert not leaks, "answers to branch B depend on branch A's customers:\n" + "\n".join(
        f"{k}: {_diff(answers['big'][k], answers['small'].get(k))}" for k in leaks[:40])
    # Traces of A's customers, beyond the ids B itself sent (a 404 or a rejected upload repeats them).
    traces = [(k, m.group()) for k, v in answers["big"].items()
              for m in A_TRACES.finditer(json.dumps(v, ensure_ascii=False)) if m.group() not in sent[k]]
    assert not traces, f"A's customers named in B's answers: {traces[:20]}"


def _diff(a: Any, b: Any) -> str:
    """The first place two answers differ, briefly."""
    sa, sb = json.dumps(a, ensure_ascii=False, default=str), json.dumps(b, ensure_ascii=False, default=str)
    i = next((i for i, (x, y) in enumerate(zip(sa, sb, strict=False)) if x != y), min(len(sa), len(sb)))
    return f"…{sa[max(0, i - 80):i + 80]}…  vs  …{sb[max(0, i - 80):i + 80]}…"
