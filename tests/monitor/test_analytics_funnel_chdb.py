"""Our funnel equals ClickHouse's own windowFunnel (run in chdb) on the same random events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from factories import add_customers, events_for
from mofang.monitor.analytics import service
from mofang.monitor.analytics.contracts import FunnelQuery
from mofang.monitor.analytics.funnel import build_clickhouse
from mofang.monitor.analytics.sqltemplate import inline
from mofang.platform.context import Platform
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope
from mofang.platform.storage.sql import Params

chdb = pytest.importorskip("chdb", reason="chdb (ClickHouse in-process) is not installed")

ADMIN = Principal(user_id=1, username="t", display_name="t", role="admin", org_code="HQ", rm_id=None,
                  permissions=frozenset(), scope=Scope(kind="all"))
NAMES = ["open", "view", "cart", "pay", "other"]


@pytest.mark.parametrize(("seed", "steps", "grid"), [
    (1, NAMES[:4], 600), (2, NAMES[:4], 600), (3, NAMES[:4], 600),
    # Funnels that repeat a step (issue 9: A > B > A > C), on an hourly grid so that same-second ties are common.
    (4, ["open", "view", "open", "pay"], 3600), (5, ["view", "view", "cart", "view"], 3600),
])
def test_counts_equal_clickhouse_window_funnel(platform: Platform, tmp_path: Path, seed: int, steps: list[str],
                                               grid: int):
    rng = random.Random(seed)
    start = datetime(2026, 3, 1)
    customers = {f"k{i:03d}": {"name": "客户", "org_code": "GD-SZ-001"} for i in range(150 if grid == 600 else 400)}
    add_customers(platform, customers)
    # Whole seconds, with many same-second ties across steps, as ClickHouse compares them.
    spec = {cid: [(rng.choice(NAMES), start + timedelta(seconds=rng.randrange(0, 12 * 86400, grid)), {})
                  for _ in range(rng.randrange(1, 25 if grid == 600 else 60))] for cid in customers}
    events_for(platform, spec)
    q = FunnelQuery(date_from="2026-03-01", date_to="2026-03-07", steps=[{"event": n} for n in steps],
                    window=2, window_unit="day")
    ours = [s.customers for s in service.funnel_analysis(platform=platform, who=ADMIN, query=q).overall.steps]

    parquet = tmp_path / "events.parquet"
    with platform.store.read() as cur:
        cur.execute(f"COPY (SELECT customer_id, event, ts FROM events) TO '{parquet}' (FORMAT PARQUET)")
    params = Params()
    sql = inline(build_clickhouse(q, params=params), params.values).sql("clickhouse")
    res = chdb.query(sql.replace("FROM events", f"FROM file('{parquet}', Parquet)"), "CSV")
    theirs = [int(x) for x in str(res).strip().split(",")]
    assert ours == theirs
    assert ours[0] > ours[-1] > 0
