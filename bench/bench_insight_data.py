"""Synthetic bank for the insight benchmark, built with DuckDB SQL (no demo generator needed).

Events arrive in time order (as ingestion writes them), customers are skewed (a few very active,
a long quiet tail), properties are JSON text like the tracking API stores them.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

from mofang.platform.context import open_platform
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import OrgRead
from mofang.platform.settings import Settings

PROVINCES = (("GD", "广东"), ("ZJ", "浙江"), ("JS", "江苏"), ("SD", "山东"), ("SC", "四川"))
CITIES = ("A", "B")
BRANCHES = ("001", "002", "003")


def org_tree() -> list[OrgRead]:
    """Head office, five provinces, two cities each, three branches per city."""
    orgs = [OrgRead(code="HQ", name="总行", parent_code=None, level=0)]
    for code, name in PROVINCES:
        orgs.append(OrgRead(code=code, name=f"{name}省分行", parent_code="HQ", level=1))
        for city in CITIES:
            orgs.append(OrgRead(code=f"{code}-{city}", name=f"{name}{city}市分行", parent_code=code, level=2))
            for br in BRANCHES:
                orgs.append(OrgRead(code=f"{code}-{city}-{br}", name=f"{name}{city}{br}支行",
                                    parent_code=f"{code}-{city}", level=3))
    return orgs


def _leaf_codes() -> list[str]:
    return [o.code for o in org_tree() if o.level == 3]


def generate(data_dir: Path, *, customers: int, events: int, days: int = 90, end: date | None = None) -> date:
    """Fill a fresh data dir with customers, products, holdings, transactions and events; returns the end date."""
    end = end or date.today()
    start_ts = datetime.combine(end - timedelta(days=days - 1), datetime.min.time())
    span_s = days * 86400
    plat = open_platform(Settings(data_dir=data_dir, start_background=False))
    try:
        with plat.metadata.session() as session:
            gov.upsert_orgs(session=session, orgs=org_tree())
        leaves = _leaf_codes()
        t0 = time.perf_counter()
        with plat.store.write() as cur:
            cur.execute("SELECT setseed(0.42)")
            cur.execute(f"""
                INSERT INTO customers
                SELECT 'C' || lpad(CAST(i AS VARCHAR), 7, '0'), '客户' || i,
                       CASE WHEN hash(i, 1) % 2 = 0 THEN 'M' ELSE 'F' END,
                       DATE '1950-01-01' + CAST(hash(i, 2) % 20000 AS INTEGER),
                       ['广东','浙江','江苏','山东','四川'][CAST(hash(i, 3) % 5 AS INTEGER) + 1], '城市',
                       ['职员','教师','个体','退休','学生'][CAST(hash(i, 4) % 5 AS INTEGER) + 1],
                       ['<5万','5-10万','10-20万','20-50万','>50万'][CAST(hash(i, 5) % 5 AS INTEGER) + 1],
                       'C' || CAST(1 + hash(i, 6) % 5 AS VARCHAR),
                       DATE '{end}' - CAST(hash(i, 7) % 5000 AS INTEGER),
                       ['网点','手机银行','代发','推荐'][CAST(hash(i, 8) % 4 AS INTEGER) + 1],
                       $leaves[CAST(hash(i, 9) % {len(leaves)} AS INTEGER) + 1],
                       NULL, NULL,
                       round(exp(ln(2000) + (hash(i, 10) % 100000) / 100000.0 * 8.5), 2),
                       true, true, true, false, true, false,
                       'enc', '138****' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0'),
                       lpad(CAST(i % 10000 AS VARCHAR), 4, '0'), 'enc', '440***********0000', 'enc',
                       'k***@example.com', TIMESTAMP '{end}'
                FROM range({customers}) t(i)""", {"leaves": leaves})
            cur.execute("""UPDATE customers SET tier = CASE WHEN aum < 50000 THEN '大众' WHEN aum < 500000 THEN '潜力'
                           WHEN aum < 6000000 THEN '财富' ELSE '私行' END""")
            cur.execute("""
                INSERT INTO products SELECT 'P-' || i, t || '产品' || i, t, 'R' || CAST(1 + i % 5 AS VARCHAR),
                       2.0 + (i % 7) * 0.3, [30, 90, 180, 365, 1095][1 + i % 5],
                       t IN ('消费贷','经营贷','房贷','信用卡')
                FROM (SELECT i, ['活期','定期','大额存单','理财','基金','保险','贵金属','消费贷','经营贷','房贷',
                                 '信用卡'][1 + i % 11] AS t FROM range(44) r(i))""")
            cur.execute(f"""
                INSERT INTO holdings SELECT DISTINCT ON (cid, pid) cid, pid, round(1000 + hash(k, 3) % 300000, 2),
                       DATE '{end}' - CAST(hash(k, 4) % 400 AS INTEGER)
                FROM (SELECT k, 'C' || lpad(CAST(hash(k, 1) % {customers} AS VARCHAR), 7, '0') cid,
                             'P-' || CAST(hash(k, 2) % 44 AS VARCHAR) pid FROM range({customers * 5 // 2}) r(k))""")
            n_txn = events // 10
            cur.execute(f"""
                INSERT INTO transactions
                SELECT 'T' || k, 'C' || lpad(CAST(CAST(floor({customers} * pow((hash(k, 1) % 1000000007)
                       / 1000000007.0, 1.6)) AS BIGINT) AS VARCHAR), 7, '0'),
                       TIMESTAMP '{start_ts}' + to_seconds(CAST(k * {span_s} / {n_txn} AS BIGINT)),
                       tt, CASE WHEN tt IN ('salary','transfer_in','redemption') THEN 'in' ELSE 'out' END,
                       round(10 + (hash(k, 3) % 100000) / 100000.0 * CASE tt WHEN 'card_spend' THEN 2000
                             WHEN 'salary' THEN 20000 ELSE 50000 END, 2),
                       ['餐饮','购物','出行','娱乐','医疗'][CAST(hash(k, 4) % 5 AS INTEGER) + 1],
                       ['app','branch','wechat'][CAST(hash(k, 5) % 3 AS INTEGER) + 1], NULL
                FROM (SELECT k, ['salary','transfer_in','transfer_out','card_spend','card_spend','card_spend',
                                 'loan_repayment','purchase','redemption','card_spend'][CAST(hash(k, 2) % 10 AS INTEGER)
                                 + 1] tt FROM range({n_txn}) r(k))""")
            cur.execute(f"""
                INSERT INTO events
                SELECT 'm' || i, 'track', ev, cid, cid, NULL, ts, ts,
                       ['app','app','app','h5','wechat'][CAST(hash(i, 4) % 5 AS INTEGER) + 1],
                       CASE ev WHEN 'product_view' THEN '{{"product_type":"' || pt || '","product_id":"P-'
                                    || CAST(hash(i, 5) % 44 AS VARCHAR) || '"}}'
                               WHEN 'fund_purchase' THEN '{{"product_type":"' || pt || '","amount":'
                                    || CAST(100 + hash(i, 6) % 100000 AS VARCHAR) || '}}'
                               WHEN 'search' THEN '{{"keyword":"理财"}}'
                               WHEN 'page_view' THEN '{{"page":"home"}}'
                               ELSE '{{}}' END,
                       '{{}}'
                FROM (SELECT i,
                        'C' || lpad(CAST(CAST(floor({customers} * pow((hash(i) % 1000000007) / 1000000007.0, 1.6))
                              AS BIGINT) AS VARCHAR), 7, '0') cid,
                        TIMESTAMP '{start_ts}' + to_seconds(CAST(i * {span_s} / {events} AS BIGINT)) ts,
                        CASE WHEN u < 20 THEN 'login' WHEN u < 55 THEN 'page_view' WHEN u < 80 THEN 'product_view'
                             WHEN u < 88 THEN 'search' WHEN u < 95 THEN 'click_banner' WHEN u < 97 THEN 'fund_purchase'
                             ELSE 'app_start' END ev,
                        ['基金','基金','基金','理财','理财','理财','保险','定期','贵金属','大额存单']
                            [CAST(hash(i, 3) % 10 AS INTEGER) + 1] pt
                      FROM (SELECT i, hash(i, 2) % 100 u FROM range({events}) r(i)))""")
        plat.store.checkpoint()
        print(f"generated {customers:,} customers / {events:,} events in {time.perf_counter() - t0:.0f}s")
    finally:
        plat.close()
    return end


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=100_000_000)
    ap.add_argument("--days", type=int, default=90)
    args = ap.parse_args()
    generate(args.data_dir, customers=args.customers, events=args.events, days=args.days)
