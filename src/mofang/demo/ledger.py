"""Account transactions of one day: wages, card spending, transfers, repayments, purchases, outflows.

Each day's transactions are posted to the books, so the daily AUM series is the ledger added up: money that
comes in (wages, transfers, a new customer's deposits, 理财节 money from other banks, loan payouts) raises AUM
and money going out lowers it, and nobody pays out more than they hold. Purchases are paid from a maturing
or redeemed product of the same customer, so they move money inside AUM without changing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mofang.demo.books import Books
from mofang.demo.finance import Holdings, churn_days, churn_keep
from mofang.demo.population import CHURNER, DORMANT, EMPLOYERS, INACTIVE, NEW_ACTIVE, OFFLINE, Population, life
from mofang.demo.products import PRODUCTS, index_of, liabilities
from mofang.demo.timeline import US_PER_DAY, US_PER_SECOND, Window, seconds_of_day, spend_hours

TXN_TYPES = ("salary", "transfer_in", "transfer_out", "card_spend", "loan_repayment", "purchase", "redemption")
SALARY, T_IN, T_OUT, SPEND, REPAY, PURCHASE, REDEEM = range(7)
TXN_CHANNELS = ("batch", "pos", "online", "app", "branch", "wechat", "auto")
CH_BATCH, CH_POS, CH_ONLINE, CH_APP, CH_BRANCH, CH_WECHAT, CH_AUTO = range(7)
# How each type changes AUM: purchases and redemptions only move money between a customer's own products.
AUM_EFFECT = np.array([1.0, 1.0, -1.0, -1.0, -1.0, 0.0, 0.0])
TOP_UPS = np.array([3, 7, 12])  # days after opening on which a new customer brings the rest of their money
REBALANCE_P, DRIFT_P, LEAVING_P = 0.08, 0.03, 0.6  # daily chance of moving money towards its usual level
# (times how active the customer is; a dormant customer's money drifting away; a churner's leaving)
REBALANCE_MIN, REBALANCE_SHARE = 300.0, 0.04  # ... once it is this far off (CNY, and share of that level)
SHORT_SHARE = 0.2  # below this share of its usual level an account is topped up at once
CAMPAIGN_P = 0.015  # daily chance, on the 理财节's first day, that an investor brings money from another bank

# Card spending: category, median amount, weekday and weekend weight, merchants.
_SPEND = (
    ("餐饮", 48, 30, 34, ("美团外卖", "饿了么", "海底捞", "瑞幸咖啡", "喜茶", "肯德基", "麦当劳", "星巴克")),
    ("超市", 120, 18, 22, ("盒马鲜生", "永辉超市", "沃尔玛", "华润万家", "大润发", "山姆会员店", "7-Eleven", "罗森")),
    ("交通", 18, 16, 8, ("滴滴出行", "地铁乘车码", "中国石化加油站", "中国石油加油站", "高德打车", "ETC通行费",
                       "12306铁路", "哈啰出行")),
    ("网购", 150, 14, 14, ("京东商城", "淘宝", "天猫", "拼多多", "唯品会", "抖音商城", "苏宁易购", "当当网")),
    ("娱乐", 180, 5, 10, ("万达影城", "猫眼电影", "KTV", "大麦网", "腾讯视频会员", "爱奇艺会员", "网易游戏", "健身房")),
    ("医疗", 260, 4, 3, ("人民医院", "中医院", "大参林药房", "老百姓大药房", "益丰大药房", "口腔诊所",
                       "爱尔眼科", "社区卫生服务中心")),
    ("教育", 900, 2, 3, ("新东方", "学而思", "猿辅导", "得到", "知乎盐选", "少儿英语", "驾校", "钢琴培训")),
    ("旅游", 1600, 1, 3, ("携程旅行", "去哪儿", "飞猪", "同程旅行", "如家酒店", "汉庭酒店", "中国国航", "南方航空")),
    ("生活缴费", 160, 10, 3, ("国家电网电费", "燃气费", "水费", "中国移动话费", "中国联通话费", "中国电信话费",
                          "物业费", "宽带费")),
)
_TRANSFER_IN = ("他行转入", "支付宝提现", "微信零钱提现", "朋友转账", "报销款", "租金收入")
_TRANSFER_OUT = ("转账至他行", "支付宝充值", "微信零钱充值", "房租", "转账给家人", "信用卡还款(他行)")
_CHURN_OUT = "转出至他行账户"


def categories() -> list[str]:
    """Every category, by code."""
    shelf_types = list(dict.fromkeys(p.product_type for p in PRODUCTS))
    return ["工资", "养老金", *(s[0] for s in _SPEND), "转账", "他行转出", *shelf_types, "贷款发放"]


def descriptions() -> list[str]:
    """Every description text, by code (the writer looks them up instead of storing strings per row)."""
    out = [f"代发工资 {name}" if "养老金" not in name else "养老金发放" for name, _, _ in EMPLOYERS]
    out += [m for s in _SPEND for m in s[4]]
    out += list(_TRANSFER_IN) + list(_TRANSFER_OUT) + [_CHURN_OUT]
    out += [f"还款 {p.name}" for p in PRODUCTS] + [f"购买 {p.name}" for p in PRODUCTS]
    out += [f"赎回 {p.name}" for p in PRODUCTS] + [f"贷款发放 {p.name}" for p in PRODUCTS]
    return out


_CAT = {c: i for i, c in enumerate(categories())}
_D_MERCHANT = len(EMPLOYERS)
_D_TIN = _D_MERCHANT + sum(len(s[4]) for s in _SPEND)
_D_TOUT = _D_TIN + len(_TRANSFER_IN)
_D_CHURN = _D_TOUT + len(_TRANSFER_OUT)
_D_REPAY = _D_CHURN + 1
_D_BUY = _D_REPAY + len(PRODUCTS)
_D_REDEEM = _D_BUY + len(PRODUCTS)
_D_DISBURSE = _D_REDEEM + len(PRODUCTS)
_PRODUCT_CAT = np.array([_CAT[p.product_type] for p in PRODUCTS])


@dataclass(frozen=True)
class LedgerContext:
    """What the daily ledger needs from the balances, computed once."""

    loan_customer: np.ndarray
    loan_product: np.ndarray
    loan_day: np.ndarray  # day of month the instalment is debited
    loan_payment: np.ndarray
    source: np.ndarray  # per customer: the product a purchase is paid from (their largest term or investment)
    pre_churn_aum: np.ndarray  # per customer: AUM before any outflow


def ledger_context(pop: Population, holdings: Holdings) -> LedgerContext:
    """Monthly instalments of every loan and card, and the product each customer's purchases are paid from."""
    liab = liabilities()[holdings.product]
    cust, prod, bal = holdings.customer[liab], holdings.product[liab], holdings.balance[liab]
    rate = np.array([p.rate for p in PRODUCTS])[prod] / 100 / 12
    months = np.array([max(1, (p.term_days or 30) // 30) for p in PRODUCTS])[prod]
    annuity = bal * rate / (1 - (1 + rate) ** -np.minimum(months, 240))
    shelf = np.array([p.shelf for p in PRODUCTS])[prod]
    payment = np.where(shelf == "card", bal, annuity)
    opened = holdings.opened[liab].astype("datetime64[D]")
    dom = np.minimum(28, (opened - opened.astype("datetime64[M]")).astype(np.int64) + 1)
    dom = np.where(shelf == "card", 25, dom)  # card bills fall due on the 25th
    # A purchase rolls over a maturing time deposit or investment (or one already gone: a 3-month deposit).
    term = np.array([p.shelf in ("deposit", "wealth", "fund") and p.product_id != "DEP-CUR" for p in PRODUCTS])
    rows = np.flatnonzero(term[holdings.product])
    rows = rows[np.lexsort((holdings.balance[rows], holdings.customer[rows]))]  # each customer's largest last
    largest = np.ones(rows.size, dtype=bool)
    largest[:-1] = holdings.customer[rows][1:] != holdings.customer[rows][:-1]
    source = np.full(pop.n, index_of("TD-3M"))
    source[holdings.customer[rows[largest]]] = holdings.product[rows[largest]]
    keep = payment > 0
    return LedgerContext(
        loan_customer=cust[keep], loan_product=prod[keep], loan_day=dom[keep],
        loan_payment=np.round(payment[keep], 2), source=source,
        pre_churn_aum=holdings.aum / np.where(pop.remain > 0, pop.remain, 1.0),
    )


def day_transactions(
    rng: np.random.Generator, *, pop: Population, ctx: LedgerContext, books: Books, window: Window, d: int,
    paid_today: np.ndarray, extra: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Transactions of window day `d`, posted to `books`; `extra` carries purchases and loan payouts seen in events."""
    day = window.day(d)
    weekend = day.weekday() >= 5
    opened = pop.open_day <= d
    churner = pop.persona == CHURNER
    leaving = churner & (d >= pop.churn_start)
    start = books.available(d)
    parts: list[dict[str, np.ndarray]] = []

    def add(cust: np.ndarray, secs: np.ndarray, kind: int, amount: np.ndarray, cat: np.ndarray | int,
            channel: np.ndarray | int, desc: np.ndarray) -> None:
        n = cust.size
        parts.append({
            "customer": cust.astype(np.int64), "ts": window.midnight_utc_us(d) + secs.astype(np.int64) * US_PER_SECOND,
            "txn_type": np.full(n, kind, np.int8), "amount": np.round(amount, 2),
            "category": np.broadcast_to(cat, n).astype(np.int16),
            "channel": np.broadcast_to(channel, n).astype(np.int8), "description": desc.astype(np.int32),
        })

    def transfers(cust: np.ndarray, kind: int, amount: np.ndarray) -> None:
        desc0, ndesc = (_D_TIN, len(_TRANSFER_IN)) if kind == T_IN else (_D_TOUT, len(_TRANSFER_OUT))
        add(cust, seconds_of_day(rng, cust.size, spend_hours()), kind, amount, _CAT["转账"],
            np.where(rng.random(cust.size) < 0.8, CH_APP, CH_WECHAT), desc0 + rng.integers(0, ndesc, cust.size))

    # Wages by 代发 land in the morning batch; a churner's employer now pays them elsewhere.
    sel = np.flatnonzero(pop.salaried & opened & paid_today & ~leaving)
    pension = pop.occupation[sel] == 10
    wage = pop.salary[sel] * rng.uniform(0.97, 1.08, sel.size)
    add(sel, 8 * 3600 + rng.integers(0, 3 * 3600, sel.size), SALARY, wage,
        np.where(pension, _CAT["养老金"], _CAT["工资"]), CH_BATCH, pop.employer[sel])

    # A new customer's first deposit on opening day, then the rest of their money in a few top-ups
    # (those who take to the bank bring most of it later; those who fade keep it small from the start).
    since_open = d - pop.open_day
    first = np.where(pop.persona == NEW_ACTIVE, 0.1, 0.5)
    share = np.where(since_open == 0, first, np.where(np.isin(since_open, TOP_UPS), (1 - first) / TOP_UPS.size, 0))
    sel = np.flatnonzero((pop.open_day >= 0) & (share > 0))
    amount = np.round(pop.wealth[sel] * share[sel], 2)
    books.core[sel] += amount
    add(sel, seconds_of_day(rng, sel.size, spend_hours()), T_IN, amount, _CAT["转账"], CH_APP,
        np.full(sel.size, _D_TIN))

    # The 理财节 draws money from other banks: strongest on its first days, from customers who invest.
    if window.in_campaign(d):
        p = CAMPAIGN_P * np.exp(-(d - window.campaign()[0]) / 5.0) + 0.004
        sel = np.flatnonzero(opened & ~leaving & (pop.persona != DORMANT) & (pop.invest > 0.3)
                             & (rng.random(pop.n) < p))
        amount = np.round(np.maximum(books.core[sel], 5_000) * rng.uniform(0.1, 0.4, sel.size), -2)
        books.core[sel] += amount
        add(sel, seconds_of_day(rng, sel.size, spend_hours()), T_IN, amount, _CAT["转账"], CH_APP,
            np.full(sel.size, _D_TIN))

    # A churner's outflow: the day's step of their AUM leaves for another bank.
    steps = churn_days(pop, window)
    keep = churn_keep(pop)
    for k in range(steps.shape[1]):
        sel = np.flatnonzero(churner & (steps[:, k] == d))
        books.core[sel] *= keep[sel]
        add(sel, seconds_of_day(rng, sel.size, spend_hours()), T_OUT, start[sel] * (1 - keep[sel]), _CAT["他行转出"],
            CH_APP, np.full(sel.size, _D_CHURN))

    # Card spending: daily life, less of it for customers drifting away.
    activity = np.where((pop.persona == INACTIVE) | (pop.persona == OFFLINE), 0.6, np.maximum(life(pop, d), 0.15))
    lam = pop.spend_rate * activity * opened * (1.15 if weekend else 1.0)
    count = rng.poisson(lam)
    cust = np.repeat(np.arange(pop.n), count)
    weights = np.array([s[3] if weekend else s[2] for s in _SPEND], dtype=float)
    cat = np.searchsorted(np.cumsum(weights) / weights.sum(), rng.random(cust.size), side="right")
    median = np.array([s[1] for s in _SPEND], dtype=float)[cat]
    amount = np.maximum(1.0, rng.lognormal(np.log(median), 0.8))
    online = np.isin(cat, (3, 6)) | (rng.random(cust.size) < 0.25)
    add(cust, seconds_of_day(rng, cust.size, spend_hours()), SPEND, amount, cat + _CAT["餐饮"],
        np.where(online, CH_ONLINE, CH_POS), _D_MERCHANT + cat * 8 + rng.integers(0, 8, cust.size))

    # Everyday transfers in and out, sized by what the customer has (nothing comes in for one who is leaving).
    for kind, base, allowed in ((T_IN, 0.035, opened & ~leaving), (T_OUT, 0.04, opened)):
        sel = np.flatnonzero(allowed & (rng.random(pop.n) < base * np.maximum(activity, 0.3)))
        size = np.clip(ctx.pre_churn_aum[sel], 2_000, 2_000_000) ** 0.45 * 12
        transfers(sel, kind, rng.lognormal(np.log(size), 0.7))

    # Instalments are debited in the small hours on their day of the month.
    due = np.flatnonzero(ctx.loan_day == day.day)
    add(ctx.loan_customer[due], 2 * 3600 + rng.integers(0, 3 * 3600, due.size), REPAY, ctx.loan_payment[due],
        _PRODUCT_CAT[ctx.loan_product[due]], CH_AUTO, _D_REPAY + ctx.loan_product[due])

    # Money finds its usual level: a surplus (wages not spent, a loan paid out) moves to 支付宝 or another bank,
    # a shortfall is topped up from there, now and then (less often the less a customer uses the bank; a dormant
    # customer's money drifts away in a chunk every month or so, and only a dry account is topped up).
    # A churner's money only leaves.
    target = books.target(d)
    gap = target - start - _aum_change(parts, pop.n)
    dormant = pop.persona == DORMANT
    p = np.where(leaving, LEAVING_P, np.where(dormant, DRIFT_P, REBALANCE_P * activity))
    short = gap > (1 - SHORT_SHARE) * target  # an account running dry is topped up the same day
    move = opened & ((rng.random(pop.n) < p) | short)
    move &= (np.abs(gap) > np.maximum(REBALANCE_MIN, REBALANCE_SHARE * target)) & ~(leaving & (gap > 0))
    move &= ~(dormant & (gap > 0) & ~short)
    share = np.where(dormant & (gap < 0), rng.uniform(1.0, 2.0, pop.n), rng.uniform(0.4, 1.0, pop.n))  # drift: ahead
    for kind, sel in ((T_IN, np.flatnonzero(move & (gap > 0))), (T_OUT, np.flatnonzero(move & (gap < 0)))):
        transfers(sel, kind, np.abs(gap[sel]) * share[sel])

    # Purchases the customers made in the app or at the branch today, each paid from a maturing product.
    if extra["buy_customer"].size:
        cust, secs, prod = extra["buy_customer"], extra["buy_secs"], extra["buy_product"]
        src = ctx.source[cust]
        before = np.minimum(rng.integers(20, 180, cust.size), secs % 86_400)
        add(cust, secs - before, REDEEM, extra["buy_amount"], _PRODUCT_CAT[src], extra["buy_channel"], _D_REDEEM + src)
        add(cust, secs, PURCHASE, extra["buy_amount"], _PRODUCT_CAT[prod], extra["buy_channel"], _D_BUY + prod)
    if extra["loan_customer"].size:
        prod = extra["loan_product"]
        add(extra["loan_customer"], extra["loan_secs"], T_IN, extra["loan_amount"], _CAT["贷款发放"], CH_AUTO,
            _D_DISBURSE + prod)

    out = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    out = _afford({key: v[out["ts"] <= window.cutoff_us] for key, v in out.items()}, start, window, d)
    order = np.argsort(out["ts"], kind="stable")
    out = {key: v[order] for key, v in out.items()}
    books.post(rng, window, d, out["customer"], AUM_EFFECT[out["txn_type"]] * out["amount"], out["ts"])
    return out


def _aum_change(parts: list[dict[str, np.ndarray]], n: int) -> np.ndarray:
    """How much the transactions so far change each customer's AUM."""
    if not parts:
        return np.zeros(n)
    cust = np.concatenate([p["customer"] for p in parts])
    change = np.concatenate([AUM_EFFECT[p["txn_type"]] * p["amount"] for p in parts])
    return np.bincount(cust, weights=change, minlength=n)


def _afford(tx: dict[str, np.ndarray], start: np.ndarray, window: Window, d: int) -> dict[str, np.ndarray]:
    """Scale down a customer's payments on a day they would come to more than they hold (a debit never overdraws)."""
    n = start.size
    change = AUM_EFFECT[tx["txn_type"]] * tx["amount"]
    today = tx["ts"] - window.midnight_utc_us(d) < US_PER_DAY  # a loan paid out tomorrow cannot pay today's bills
    ins = np.bincount(tx["customer"], weights=np.where(today & (change > 0), change, 0.0), minlength=n)
    outs = np.bincount(tx["customer"], weights=np.where(change < 0, -change, 0.0), minlength=n)
    factor = np.minimum(1.0, np.divide(np.maximum(start + ins, 0.0), outs, out=np.ones(n), where=outs > 0))
    scale = np.where(change < 0, factor[tx["customer"]], 1.0)
    amount = np.where(scale < 1.0, np.floor(tx["amount"] * scale * 100) / 100, tx["amount"])
    keep = (scale == 1.0) | (amount >= 1.0)
    return {**{k: v[keep] for k, v in tx.items()}, "amount": amount[keep]}
