"""Sends carried out by a `mofang worker` process: no event store there, the customer read from its profile."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from factories import add_customers
from mofang.platform.context import Platform
from mofang.platform.settings import Settings
from mofang.reach.models import Delivery
from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.contact_policy import admin as policy_admin
from mofang.strategy.engine import activate
from mofang.strategy.engine import service as engine
from mofang.strategy.engine.repository import EngineInstance
from mofang.strategy.engine.service.stats import stats
from mofang.strategy.engine.tasks import EngineWorker, open_worker_platform
from reach.conftest import PHONES, Receiver, admin

TEXT = "【魔方银行】{{客户.姓氏}}{{客户.称谓}}，您在{{客户.城市}}的客户经理{{客户经理.姓名}}为您准备了理财方案 回T退订"


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The metadata database the server and the worker share: SQLite, and PostgreSQL when configured."""
    url = request.getfixturevalue("_fresh_pg_database") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", metadata_url=url, start_background=True, scheduler=False)


@pytest.fixture
def server(bank: Platform, receiver: Receiver, sms_channel: Callable[..., int]) -> Platform:
    """What `mofang serve` prepared: customers (profiles refreshed), an SMS channel, an active template; no caps."""
    add_customers(bank, {
        "w2": {"name": "赵六", "gender": "M", "org_code": "GD-SZ-001", "rm_id": "RM-S", "risk_level": "C2",
               "phone": "13600006666"},
        "w5": {"name": "钱七", "gender": "M", "org_code": "GD-SZ-001", "rm_id": "RM-S", "risk_level": "C5",
               "phone": "13500005555"},
    })
    sms_channel()
    with bank.metadata.session() as session:
        for rule in policy_admin.repo.rules(session):  # the seeded quiet hours would defer a send at night
            session.delete(rule)
    return bank


@pytest.fixture
def worker_platform(settings: Settings, server: Platform) -> Iterator[Platform]:
    """A platform built as `mofang worker` builds it: the metadata database and keys, no event store."""
    plat = open_worker_platform(settings)
    yield plat
    plat.metadata.dispose()


def template(platform: Platform) -> int:
    from mofang.reach.content import contracts as cc
    from mofang.reach.content import service as library

    with platform.metadata.session() as session:
        made = library.create(platform=platform, session=session, who=admin(), data=cc.TemplateCreate(
            name="理财方案", channel="sms", content=cc.TemplateContent(body=TEXT)))
        library.set_status(platform=platform, session=session, who=admin(), template_id=made.id,
                           data=cc.StatusChange(status="active"))
    return made.id


def offer_graph(template_id: int, product_risk: str | None = None) -> Graph:
    """entry → SMS (optionally a product of some risk) → result split: accepted / suppressed / else."""
    send: dict[str, Any] = {"id": "sms", "type": "send", "channel": "sms", "template_id": template_id}
    if product_risk:
        send["product_risk"] = product_risk
    return Graph.model_validate({"nodes": [
        {"id": "in", "type": "api_entry"}, send,
        {"id": "split", "type": "result_split", "send_node": "sms"},
        {"id": "sent", "type": "exit"}, {"id": "blocked", "type": "exit"}, {"id": "other", "type": "exit"},
    ], "edges": [
        {"source": "in", "target": "sms", "label": "next"}, {"source": "sms", "target": "split", "label": "next"},
        {"source": "split", "target": "sent", "label": "accepted"},
        {"source": "split", "target": "blocked", "label": "suppressed"},
        {"source": "split", "target": "other", "label": "else"},
    ], "settings": {"business_line": "wealth"}})


def run_worker(worker_platform: Platform, strategy_id: int, graph: Graph, customers: list[str]) -> dict[str, str]:
    """Start the worker's loops, enter the customers, wait until each journey is done: customer → end node."""
    worker = EngineWorker(worker_platform, timers=True, dispatch=True, entries=False, bus=False, poll=0.05)
    activate(platform=worker_platform, strategy_id=strategy_id, version=1, graph=graph, org_code="HQ")
    worker.start()
    try:
        engine.enter(platform=worker_platform, rt=worker.rt, strategy_id=strategy_id, node_id="in",
                     customers=[(c, {}, "o") for c in customers])
        deadline = time.monotonic() + 30
        while True:
            with worker_platform.metadata.session() as s:
                done = {i.customer_id: i.node for i in s.scalars(select(EngineInstance).where(
                    EngineInstance.strategy_id == strategy_id, EngineInstance.status == "done"))}
            if len(done) == len(customers):
                return done
            assert time.monotonic() < deadline, f"the worker did not finish the journeys: {done}"
            time.sleep(0.05)
    finally:
        worker.stop()


def test_a_worker_without_the_event_store_sends_the_rendered_message(
        server: Platform, worker_platform: Platform, receiver: Receiver) -> None:
    with pytest.raises(RuntimeError):  # nothing on the send path may read DuckDB here
        worker_platform.store.read()
    ends = run_worker(worker_platform, 41, offer_graph(template(server)), ["k1", "w2"])
    assert ends == {"k1": "sent", "w2": "sent"}
    got = {json.loads(r["body"])["mobile"]: json.loads(r["body"])["content"] for r in receiver.requests}
    # The surname only, 称谓 by gender, city and RM name, all from the profiles; the phone from the master's copy.
    assert got == {
        PHONES["k1"]: "【魔方银行】张女士，您在深圳的客户经理深圳经理为您准备了理财方案 回T退订",
        "13600006666": "【魔方银行】赵先生，您在深圳的客户经理深圳经理为您准备了理财方案 回T退订",
    }
    with worker_platform.metadata.session() as s:
        rows = list(s.scalars(select(Delivery).order_by(Delivery.customer_id)))
    assert [(d.customer_id, d.status, d.customer_org_code, d.customer_rm_id, d.cost_fen) for d in rows] == [
        ("k1", "accepted", "GD-SZ-001", "RM-S", 5), ("w2", "accepted", "GD-SZ-001", "RM-S", 5)]


def test_a_worker_suppresses_an_unsuitable_product_and_the_split_takes_the_suppressed_branch(
        server: Platform, worker_platform: Platform, receiver: Receiver) -> None:
    ends = run_worker(worker_platform, 42, offer_graph(template(server), "R4"), ["w2", "w5", "nobody"])
    # C2 and a customer with no profile (KYC unknown) are refused the R4 product; C5 gets it.
    assert ends == {"w2": "blocked", "w5": "sent", "nobody": "blocked"}
    assert [json.loads(r["body"])["mobile"] for r in receiver.requests] == ["13500005555"]
    with worker_platform.metadata.session() as s:
        by_customer = {d.customer_id: (d.status, d.reason, d.cost_fen) for d in s.scalars(select(Delivery))}
        node = stats(session=s, who=admin(), strategy_id=42)["nodes"]["sms"]
    assert by_customer == {"w2": ("suppressed", "unsuitable", 0), "w5": ("accepted", None, 5),
                           "nobody": ("suppressed", "unsuitable", 0)}
    assert node["suppressed"] == {"unsuitable": 2}
