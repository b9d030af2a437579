"""Money in the generated bank adds up: the MAU/AUM dashboard's net inflow and AUM change tell the same story."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pytest

from mofang.demo.orgs import build_org_tree
from mofang.demo.population import CHURNER, DORMANT, make_population
from mofang.demo.service import generate_bank, rng_for
from mofang.demo.timeline import Window
from mofang.monitor.analytics import service
from mofang.monitor.analytics.contracts import MauAumQuery, MauAumRow
from mofang.platform.context import Platform, open_platform
from mofang.platform.governance.contracts import Principal
from mofang.platform.governance.logic import Scope
from mofang.platform.settings import Settings

SEED, CUSTOMERS, DAYS = 3, 2_000, 60
END = date(2026, 3, 31)  # the window starts 31 January: February and March are whole months
ADMIN = Principal(user_id=1, username="t", display_name="t", role="admin", org_code="HQ", rm_id=None,
                  permissions=frozenset(), scope=Scope(kind="all"))


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A small demo bank of its own (the shared test bank covers too few days for month-on-month changes)."""
    p = open_platform(Settings(data_dir=tmp_path_factory.mktemp("flows") / "d", start_background=False))
    generate_bank(platform=p, customers=CUSTOMERS, days=DAYS, seed=SEED, end_date=END)
    yield p
    p.close()


def _rows(platform: Platform) -> tuple[list[MauAumRow], list[MauAumRow]]:
    res = service.mau_aum_dashboard(platform=platform, who=ADMIN, query=MauAumQuery(
        month_from=date(2026, 1, 1), month_to=date(2026, 3, 1)))
    return res.totals, res.rows


def _changes(rows: list[MauAumRow]) -> list[tuple[str, str, float, float, float]]:
    """(org, month, AUM at the month's end, AUM change over the month, net inflow) after each org's first month."""
    out, prev = [], {}
    for r in sorted(rows, key=lambda r: (r.org_code, r.month)):
        if r.org_code in prev and r.aum is not None and r.net_inflow is not None:
            out.append((r.org_code, r.month, r.aum, r.aum - prev[r.org_code], r.net_inflow))
        prev[r.org_code] = r.aum
    return out


# What flows leave unexplained is funds and gold being repriced: in a quiet month that can be most of the change.
def _agree(aum: float, change: float, inflow: float) -> bool:
    """Same direction, and apart by at most half the larger one (in a quiet month: by at most 0.5% of AUM)."""
    return change * inflow > 0 and abs(change - inflow) <= max(0.5 * max(abs(change), abs(inflow)), 0.005 * aum)


def test_bank_net_inflow_and_aum_change_agree_every_month(platform: Platform) -> None:
    totals, _ = _rows(platform)
    months = _changes(totals)
    assert [m for _, m, *_ in months] == ["2026-02", "2026-03"]
    for _, month, aum, change, inflow in months:
        assert _agree(aum, change, inflow), (month, aum, change, inflow)
    # Not money leaving month after month: the 理财节 brings money in from other banks while it runs.
    lo, hi = Window.ending(END, DAYS).campaign()
    start = END - timedelta(days=DAYS - 1)
    with platform.store.read() as cur:
        daily = cur.execute("""SELECT CAST(ts + INTERVAL 8 HOUR AS DATE) - ? AS d, count(DISTINCT customer_id)
                               FROM transactions WHERE description = '他行转入' GROUP BY 1""", [start]).fetchall()
    during = np.mean([n for d, n in daily if lo <= d < hi])
    assert months[0][4] > 0 and during > 1.25 * np.mean([n for d, n in daily if not lo <= d < hi])


def test_most_branches_agree_and_some_gain_while_others_lose(platform: Platform) -> None:
    _, rows = _rows(platform)
    months = _changes(rows)
    assert len({org for org, *_ in months}) >= 10
    agreeing = [m for m in months if _agree(*m[2:])]
    assert len(agreeing) >= 0.85 * len(months), [m for m in months if m not in agreeing]
    # Where a month moved a branch's money by more than 1% of its AUM, the direction always agrees.
    material = [m for m in months if abs(m[4]) > 0.01 * m[2]]
    assert len(material) >= 0.5 * len(months), months
    assert all(m[3] * m[4] > 0 for m in material), material
    assert any(m[4] > 0 for m in months) and any(m[4] < 0 for m in months)


def test_without_market_priced_holdings_aum_moves_only_by_transactions(platform: Platform) -> None:
    start = END - timedelta(days=DAYS - 1)
    with platform.store.read() as cur:
        rows = cur.execute("""
            WITH a AS (SELECT customer_id, arg_min(aum, date) AS first, arg_max(aum, date) AS last, min(date) AS d0
                       FROM aum_daily GROUP BY 1),
                 t AS (SELECT t.customer_id, sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END) AS flow
                       FROM transactions t JOIN a USING (customer_id)
                       WHERE CAST(t.ts + INTERVAL 8 HOUR AS DATE) > a.d0 GROUP BY 1)
            SELECT a.customer_id, a.first, a.last, coalesce(t.flow, 0) FROM a LEFT JOIN t USING (customer_id)
            WHERE a.d0 = ? AND NOT EXISTS (SELECT 1 FROM holdings h JOIN products p USING (product_id)
                                           WHERE h.customer_id = a.customer_id AND p.product_type IN ('基金', '贵金属'))
            """, [start]).fetchall()
    assert len(rows) > CUSTOMERS / 2
    off = [(cid, first, last, flow) for cid, first, last, flow in rows if abs(last - first - flow) > 1 + 1e-6 * first]
    assert not off, off[:5]


def test_churners_and_dormant_customers_show_their_money_leaving(platform: Platform) -> None:
    window = Window.ending(END, DAYS)
    pop, _ = make_population(rng_for(SEED, 0), n=CUSTOMERS, tree=build_org_tree(), window=window)
    for persona, share in ((CHURNER, 0.5), (DORMANT, 0.1)):
        ids = [f"C{i + 1:08d}" for i in np.flatnonzero((pop.persona == persona) & (pop.open_day < 0))]
        with platform.store.read() as cur:
            (flow,) = cur.execute("""SELECT sum(CASE WHEN direction = 'in' THEN amount ELSE -amount END)
                                     FROM transactions WHERE customer_id IN (SELECT unnest(?))""", [ids]).fetchone()
            (first,) = cur.execute("""SELECT sum(aum) FROM aum_daily WHERE date = ? AND customer_id IN
                                      (SELECT unnest(?))""", [window.start, ids]).fetchone()
        assert flow < -share * first, (persona, flow, first)
