"""The generated bank: reproducible, consistent, and showing the dynamics analysts look for."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from statistics import median

import numpy as np
import pytest

from demo.bank import CUSTOMERS, DAYS, END, SEED, Bank, make_bank
from mofang.demo.directory import DEMO_PASSWORD
from mofang.demo.orgs import build_org_tree
from mofang.demo.people import id_check_digit
from mofang.demo.population import CHURNER, make_population
from mofang.demo.service import generate_bank, rng_for
from mofang.demo.timeline import Window
from mofang.platform.governance import service as gov
from mofang.platform.governance.logic import Scope, mask_id_number, mask_phone

START = END - timedelta(days=DAYS - 1)
PLAIN_CUSTOMER_COLUMNS = "* EXCLUDE (phone_enc, id_enc, email_enc)"
PAGES = ("首页", "理财首页", "基金首页", "贷款首页", "活动页", "我的", "转账", "信用卡", "收支明细")


def test_every_table_is_filled_and_reported(bank: Bank) -> None:
    counts = bank.report.counts
    assert counts["customers"] == CUSTOMERS
    for table in ("relationship_managers", "products", "holdings", "aum_daily", "transactions", "events"):
        assert counts[table] > 0, table
        assert bank.rows(f"SELECT count(*) FROM {table}")[0][0] == counts[table], table
    assert 35 <= counts["products"] <= 45
    summary = bank.report.summary()
    assert "events" in summary and "rows/s" in summary


def test_same_seed_gives_the_same_bank(bank: Bank, tmp_path: Path) -> None:
    again = make_bank(tmp_path)
    try:
        for sql in (
            f"SELECT {PLAIN_CUSTOMER_COLUMNS} FROM customers ORDER BY customer_id",
            "SELECT * FROM events ORDER BY message_id",
            "SELECT * FROM transactions ORDER BY txn_id",
            "SELECT * FROM holdings ORDER BY customer_id, product_id",
            "SELECT * FROM aum_daily ORDER BY customer_id, date",
            "SELECT * FROM relationship_managers ORDER BY rm_id",
        ):
            assert again.rows(sql) == bank.rows(sql), sql
    finally:
        again.platform.close()


def test_a_second_run_reports_the_bank_exists_and_adds_nothing(bank: Bank) -> None:
    before = bank.rows("SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM events)")
    report = generate_bank(platform=bank.platform, customers=50, days=5, seed=SEED + 1, end_date=END)
    assert report.existed and "already exists" in report.summary()
    assert bank.rows("SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM events)") == before


def test_org_codes_nest_and_customers_belong_to_existing_leaves(bank: Bank) -> None:
    with bank.platform.metadata.session() as session:
        orgs = {o.code: o for o in gov.list_orgs(session=session, scope=Scope(kind="all"))}
    for o in orgs.values():
        if o.parent_code is not None:
            assert orgs[o.parent_code].level == o.level - 1
            assert o.level == 1 or o.code.startswith(o.parent_code + "-")
    assert [orgs[c].parent_code for c in ("GD-SZ-001", "GD-SZ", "GD")] == ["GD-SZ", "GD", "HQ"]
    leaves = {c for c, o in orgs.items() if o.level == 3}
    used = {r[0] for r in bank.rows("SELECT DISTINCT org_code FROM customers")}
    assert used <= leaves and len(used) > 100
    # Province and city agree with the managing branch, and RMs work where their customers are.
    tree = {leaf.code: leaf for leaf in build_org_tree().leaves}
    for code, province, city in bank.rows("SELECT DISTINCT org_code, province, city FROM customers"):
        assert (tree[code].province, tree[code].city) == (province, city)
    mismatched = bank.rows("""SELECT count(*) FROM customers c JOIN relationship_managers r USING (rm_id)
                              WHERE c.org_code <> r.org_code""")[0][0]
    assert mismatched == 0
    with_rm = bank.rows("SELECT avg(CASE WHEN rm_id IS NULL THEN 0 ELSE 1 END) FROM customers")[0][0]
    assert 0.6 < with_rm < 0.85


def test_id_numbers_and_phones_are_valid_encrypted_and_masked(bank: Bank) -> None:
    cipher = bank.platform.cipher
    rows = bank.rows("""SELECT birth_date, gender, id_enc, id_masked, phone_enc, phone_masked, phone_last4,
                               email_enc, email_masked FROM customers""")
    for birth, gender, id_enc, id_masked, phone_enc, phone_masked, last4, email_enc, email_masked in rows:
        number = cipher.decrypt(id_enc)
        assert id_check_digit(number[:17]) == number[17]
        assert number[6:14] == birth.strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if gender == "M" else 0)
        assert id_masked == mask_id_number(number)
        phone = cipher.decrypt(phone_enc)
        assert re.fullmatch(r"1[3-9]\d{9}", phone)
        assert phone_masked == mask_phone(phone) == f"{phone[:3]}****{phone[-4:]}" and last4 == phone[-4:]
        assert (email_enc is None) == (email_masked is None)
        if email_enc:
            assert "@" in cipher.decrypt(email_enc) and "***@" in email_masked
    ages = [(END - r[0]).days / 365.25 for r in rows]
    assert min(ages) >= 18 and max(ages) < 81


def test_aum_is_the_sum_of_assets_and_tier_follows_it(bank: Bank) -> None:
    rows = bank.rows("""
        SELECT c.customer_id, c.aum, c.tier, coalesce(sum(h.balance) FILTER (WHERE NOT p.is_liability), 0)
        FROM customers c LEFT JOIN holdings h USING (customer_id) LEFT JOIN products p USING (product_id)
        GROUP BY ALL""")
    for _, aum, tier, assets in rows:
        assert aum == pytest.approx(assets, abs=0.011)
        expected = "私行" if aum >= 6e6 else "财富" if aum >= 5e5 else "潜力" if aum >= 5e4 else "大众"
        assert tier == expected
    tiers = [r[2] for r in rows]
    assert tiers.count("大众") > tiers.count("潜力") > tiers.count("财富") > 0
    last_day = bank.rows("""SELECT count(*) FROM customers c JOIN aum_daily a
                            ON a.customer_id = c.customer_id AND a.date = ? WHERE abs(a.aum - c.aum) > 0.011""",
                         [END])
    assert last_day[0][0] == 0


def _logins_by_day(bank: Bank) -> dict[date, int]:
    rows = bank.rows("""SELECT CAST(ts + INTERVAL 8 HOUR AS DATE) AS d, count(*) FROM events
                        WHERE event = 'login' GROUP BY d""")
    return {d: n for d, n in rows if START <= d <= END}


def test_logins_spike_on_payday(bank: Bank) -> None:
    paydays = bank.rows("""SELECT CAST(ts + INTERVAL 8 HOUR AS DATE) AS d FROM transactions
                           WHERE txn_type = 'salary' GROUP BY d ORDER BY count(*) DESC LIMIT 2""")
    logins = _logins_by_day(bank)
    typical = median(logins.values())
    for (day,) in paydays:
        assert logins[day] > 1.2 * typical, (day, logins[day], typical)


def test_weekdays_are_busier_than_weekends(bank: Bank) -> None:
    logins = _logins_by_day(bank)
    weekday = [n for d, n in logins.items() if d.weekday() < 5]
    weekend = [n for d, n in logins.items() if d.weekday() >= 5]
    assert np.mean(weekday) > np.mean(weekend)


def test_churners_lose_half_their_aum_and_stop_logging_in(bank: Bank) -> None:
    window = Window.ending(END, DAYS)
    pop, _ = make_population(rng_for(SEED, 0), n=CUSTOMERS, tree=build_org_tree(), window=window)
    churners = [f"C{i + 1:08d}" for i in np.flatnonzero(pop.persona == CHURNER)]
    assert churners
    series = bank.rows("""SELECT customer_id, arg_min(aum, date), arg_max(aum, date) FROM aum_daily
                          WHERE customer_id IN (SELECT unnest(?)) GROUP BY 1""", [churners])
    for cid, first, last in series:
        assert last <= 0.5 * first, cid
    late = bank.rows("""SELECT count(*) FROM events WHERE event = 'login' AND customer_id IN (SELECT unnest(?))
                        AND ts >= ?""", [churners, END - timedelta(days=10)])
    assert late[0][0] == 0


def test_campaign_brings_coupons_and_wealth_purchases(bank: Bank) -> None:
    lo, hi = Window.ending(END, DAYS).campaign()
    start, stop = START + timedelta(days=lo), START + timedelta(days=hi)
    rows = bank.rows("""SELECT event, avg(CASE WHEN ts >= ? AND ts < ? THEN 1 ELSE 0 END) FROM events
                        WHERE event IN ('coupon_claim', 'wealth_purchase', 'push_click') GROUP BY 1""",
                     [start - timedelta(hours=8), stop - timedelta(hours=8)])
    share_in_campaign = dict(rows)
    campaign_share_of_days = (hi - lo) / DAYS
    for event in ("coupon_claim", "wealth_purchase"):
        assert share_in_campaign[event] > campaign_share_of_days + 0.1, event
    assert share_in_campaign["push_click"] == pytest.approx(1.0)


def test_funnels_narrow_step_by_step(bank: Bank) -> None:
    counts = dict(bank.rows("SELECT event, count(DISTINCT customer_id) FROM events GROUP BY 1"))
    assert counts["login"] > counts["product_view"] > counts["fund_purchase"] > 0
    assert counts["loan_quota_test"] > counts["loan_apply"] >= counts.get("loan_disburse", 0)
    # Every loan payout follows an application, every purchase a product view by the same customer.
    orphans = bank.rows("""SELECT count(*) FROM events b WHERE b.event IN ('fund_purchase', 'wealth_purchase')
                           AND NOT EXISTS (SELECT 1 FROM events v WHERE v.customer_id = b.customer_id
                                           AND v.event = 'product_view' AND v.ts <= b.ts)""")
    assert orphans[0][0] == 0


def test_events_are_segment_shaped(bank: Bank) -> None:
    rows = bank.rows("""SELECT message_id, type, event, customer_id, user_id, anonymous_id, ts, received_at,
                               channel, properties, context FROM events""")
    assert len({r[0] for r in rows}) == len(rows)
    assert all(r[0].startswith(f"seed-{SEED}-") for r in rows)
    types = [r[1] for r in rows]
    assert types.count("track") > len(rows) / 2 and {"page", "screen", "identify"} <= set(types)
    # Stored times are naive UTC; the window runs from Beijing midnight of its first day to its cutoff.
    first_allowed = datetime.combine(START, time()) - timedelta(hours=8)
    cutoff = datetime.fromtimestamp(Window.ending(END, DAYS).cutoff_us / 1e6, UTC).replace(tzinfo=None)
    for _, _, event, cid, uid, anon, ts, received, channel, props, ctx in rows:
        assert re.fullmatch(r"C\d{8}", cid)
        assert uid in (cid, None) and (uid is not None or anon is not None)
        assert first_allowed <= ts <= cutoff and ts <= received <= ts + timedelta(hours=1)
        assert channel in ("app", "h5", "wechat", "branch", "server")
        p = json.loads(props)
        assert "os" in json.loads(ctx) or channel in ("branch", "server")
        if event == "page_view":
            assert p["page"] in PAGES
        if event in ("fund_purchase", "wealth_purchase", "loan_apply"):
            assert p["amount"] > 0 and p["product_id"]
        if event == "loan_quota_test":
            assert p["quota"] >= 20_000
    links = bank.rows("""SELECT count(*) FROM identities i JOIN events e ON e.anonymous_id = i.anonymous_id
                         WHERE e.customer_id <> i.user_id""")
    assert links[0][0] == 0


def test_activity_peaks_in_beijing_mornings_and_evenings(bank: Bank) -> None:
    by_hour = dict(bank.rows("""SELECT hour(ts + INTERVAL 8 HOUR), count(*) FROM events
                                WHERE channel = 'app' GROUP BY 1"""))
    assert by_hour[21] > 5 * by_hour.get(3, 0) and by_hour[9] > 5 * by_hour.get(3, 0)


def test_new_customers_act_only_after_opening(bank: Bank) -> None:
    new = bank.rows("SELECT count(*) FROM customers WHERE open_date >= ?", [START])[0][0]
    assert new > 0
    early = bank.rows("""SELECT count(*) FROM events e JOIN customers c USING (customer_id)
                         WHERE CAST(e.ts + INTERVAL 8 HOUR AS DATE) < c.open_date""")
    assert early[0][0] == 0


def test_demo_users_log_in_and_the_rm_has_a_book(bank: Bank) -> None:
    with bank.platform.metadata.session() as session:
        for username in ("admin", "hq_ops", "gd_ops", "sz_ops", "analyst", "approver", "rm_demo"):
            user = gov.authenticate(session=session, username=username, password=DEMO_PASSWORD)
            assert user is not None, username
            assert re.search(r"[\u4e00-\u9fff]", user.display_name)
        rm = gov.authenticate(session=session, username="rm_demo", password=DEMO_PASSWORD)
        assert rm is not None and rm.role == "rm" and rm.rm_id
        rm_id, org_code = rm.rm_id, rm.org_code
    book = bank.rows("SELECT count(*), min(org_code) FROM customers WHERE rm_id = ?", [rm_id])[0]
    assert book[0] > 0 and book[1] == org_code
