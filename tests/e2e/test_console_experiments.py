"""The 实验结果 page in a real browser: a head-office operator reads an A/B test and its holdout, then promotes B."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from ui import login_ui

from factories import PASSWORD
from mofang.platform.context import Platform
from mofang.strategy.engine.repository import EngineInstance

pytestmark = pytest.mark.browser
T0 = datetime(2026, 3, 2, 2, tzinfo=UTC)
GRAPH = {"nodes": [{"id": "in", "type": "api_entry"},
                   {"id": "ab", "type": "ab_split", "title": "两版文案", "control": "A",
                    "variants": [{"label": "A", "percent": 50}, {"label": "B", "percent": 50}]},
                   {"id": "ea", "type": "exit"}, {"id": "eb", "type": "exit"}],
         "edges": [{"source": "in", "target": "ab"}, {"source": "ab", "target": "ea", "label": "A"},
                   {"source": "ab", "target": "eb", "label": "B"}],
         "settings": {"holdout_percent": 10}}
# (variant or "holdout", branch) -> (entered, converted); B clearly converts better.
COUNTS = {("A", "GD-SZ-001"): (400, 40), ("B", "GD-SZ-001"): (410, 82), ("holdout", "GD-SZ-001"): (90, 5)}


@pytest.fixture
def strategy(live_server: str, platform: Platform, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """A published head-office strategy whose customers went through its A/B split."""
    import mofang.strategy.engine as engine

    monkeypatch.delattr(engine, "activate", raising=False)  # no runtime: publishing only records the version
    make_user("hq_xr", "hq_operator", "HQ")
    with httpx.Client(base_url=live_server) as http:
        token = http.post("/api/auth/login", json={"username": "hq_xr", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        made = http.post("/api/strategies", json={"name": "基金文案实验", "graph": GRAPH}, headers=headers)
        sid = int(made.json()["id"])
        assert http.post(f"/api/strategies/{sid}/publish", headers=headers).status_code == 200
    rows = []
    for (variant, org), (n, x) in COUNTS.items():
        held = variant == "holdout"
        for i in range(n):
            rows.append(EngineInstance(
                strategy_id=sid, version=1, customer_id=f"{variant}{i}", org_code=org, entry_node="in",
                entry_key=f"{variant}{i}", entered_at=T0, node="ea", status="done", exit_reason="exit",
                variant="A" if held else variant, holdout=held, converted_at=T0 if i < x else None,
                context={"variants": {"ab": "A" if held else variant}}, seq=2))
    with platform.metadata.session() as session:
        session.add_all(rows)
    return sid


def test_operator_reads_the_results_and_promotes_the_winner(live_server: str, page, strategy: int) -> None:
    login_ui(page, live_server, "hq_xr")
    page.goto(live_server + "/strategy")
    page.get_by_test_id(f"strategy-experiments-{strategy}").click()
    table = page.get_by_test_id("xr-table-ab")
    expect(table).to_contain_text("410")
    expect(table).to_contain_text("20.00%")  # 82 / 410
    expect(page.get_by_test_id("xr-verdict-B")).to_have_text("显著提升")
    expect(page.get_by_test_id("xr-srm-ab")).to_contain_text("分流比例正常")
    expect(page.get_by_test_id("xr-table-holdout")).to_contain_text("对照组（不触达）")
    page.get_by_test_id("xr-promote-ab-B").click()
    page.get_by_test_id("xr-promote-confirm").click()
    expect(page.get_by_text("新版本 v2 已发布")).to_be_visible()
    expect(page.get_by_test_id("xr-promotions-ab")).to_contain_text("hq_xr")
    expect(table).to_contain_text("已推全：B")
