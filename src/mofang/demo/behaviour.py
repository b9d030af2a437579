"""One day of customer behaviour: who visits, through which channel, and what they do there."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mofang.demo import catalogue as cat
from mofang.demo.catalogue import PropsCatalogue, S
from mofang.demo.population import ANNUAL_INCOME, CHURNER, NEW_ACTIVE, Population, life
from mofang.demo.products import index_of, on_shelf, risk_levels
from mofang.demo.timeline import (
    US_PER_DAY,
    US_PER_SECOND,
    Window,
    branch_hours,
    seconds_of_day,
    session_hours,
)

MAX_STEPS = 24
_RISK = risk_levels()
_WEALTH_VIEW = np.concatenate([on_shelf("wealth"), on_shelf("deposit")[1:], on_shelf("insurance", "gold")])
_WEALTH_W = np.array([5, 6, 4, 3, 2, 1, 2, 2] + [0.6] * 6 + [0.8, 0.8, 0.5, 0.6, 0.3], dtype=float)
_FEST = int(np.flatnonzero(index_of("WM-FEST") == _WEALTH_VIEW)[0])
_FUNDS = on_shelf("fund")
_FUND_W = np.array([3, 2, 3, 2, 4, 3, 3, 2, 2, 1.5])
_LOANS = np.array([index_of(p) for p in ("LN-CONS", "LN-CONS-E", "LN-BIZ", "LN-BIZ-T")])
_KEYWORD_W = np.array([8, 7, 5, 6, 4, 3, 3, 2, 3, 2, 2, 2, 1, 2, 2, 2, 1, 1, 1, 1.0])


@dataclass
class Memory:
    """What carries from one day to the next: who has been identified, how many sessions so far."""

    identified: np.ndarray
    sessions: int = 0


def _groups(values: np.ndarray):  # type: ignore[no-untyped-def]
    """A function giving the positions holding each value (one sort instead of a scan per value)."""
    order = np.argsort(values, kind="stable")
    bounds = np.searchsorted(values[order], np.arange(len(cat.STATES) + 1))
    return lambda v: order[bounds[v]:bounds[v + 1]]


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), weights.size - 1)


def _sessions(rng: np.random.Generator, pop: Population, window: Window, d: int, paid: np.ndarray,
              paid_recent: np.ndarray) -> dict[str, np.ndarray]:
    """Who starts a visit today, on which channel, at what time of day."""
    weekday = window.weekday(d)
    campaign = window.in_campaign(d)
    life_d = life(pop, d)
    lam = pop.activity * life_d * (0.8 if weekday >= 5 else 1.0) * np.where(paid, 2.6, np.where(paid_recent, 1.5, 1))
    if campaign:
        lam = lam * np.where(pop.invest > 0.3, 1.25, 1.0)
    digital = np.repeat(np.arange(pop.n), rng.poisson(lam))
    # 理财节 pushes: strongest on the first days, only to customers who accept pushes.
    lo, _ = window.campaign()
    p_push = (0.06 * np.exp(-(d - lo) / 4.0) + 0.01) if campaign else 0.0
    push = np.flatnonzero(pop.consent["push"] & (life_d > 0.05) & (rng.random(pop.n) < p_push))
    open_days = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.3)[weekday]
    churned = (pop.persona == CHURNER) & (d > pop.churn_start + 14)
    lam_branch = pop.branch_rate * open_days * (pop.open_day <= d) * ~churned
    branch = np.repeat(np.arange(pop.n), rng.poisson(lam_branch))

    cust = np.concatenate([digital, push, branch])
    n_dig, n_push = digital.size, push.size
    kind = np.repeat([0, 1, 2], [n_dig, n_push, branch.size])
    web = rng.random(n_dig) < pop.web_share[digital]
    wechat = rng.random(n_dig) < pop.wechat_share[digital]
    channel = np.concatenate([np.where(web, np.where(wechat, cat.C_WECHAT, cat.C_H5), cat.C_APP),
                              np.full(n_push, cat.C_APP), np.full(branch.size, cat.C_BRANCH)])
    cls = np.select([channel == cat.C_BRANCH, (channel == cat.C_H5) | (channel == cat.C_WECHAT)], [2, 1], 0)
    anonymous = np.where(cls == 1, rng.random(cust.size) < 0.35, (cls == 0) & (rng.random(cust.size) < 0.02))
    # Pushes go out at 10:00 and 19:30 and are opened within the hour.
    push_secs = np.where(rng.random(n_push) < 0.5, 10 * 3600, 19 * 3600 + 1800) + rng.exponential(900, n_push)
    secs = np.concatenate([seconds_of_day(rng, n_dig, session_hours(weekday >= 5)), push_secs,
                           seconds_of_day(rng, branch.size, branch_hours())]).astype(np.int64)
    order = np.lexsort((cust, secs))
    pay = (paid | paid_recent)[cust]
    return {"customer": cust[order], "kind": kind[order], "channel": channel[order], "cls": cls[order],
            "anonymous": anonymous[order], "secs": secs[order],
            "variant": cat.variant(cls[order], campaign, pay[order])}


def _walk(rng: np.random.Generator, pop: Population, window: Window, d: int, ses: dict[str, np.ndarray],
          cdf: np.ndarray, props: PropsCatalogue, paid: np.ndarray) -> dict[str, np.ndarray]:
    """Step every visit through the state machine; one row per emitted step."""
    n = ses["customer"].size
    cust_all = ses["customer"]
    campaign = window.in_campaign(d)
    state = np.where(ses["kind"] == 1, S["PUSH"], S["BEGIN"])
    logged = np.zeros(n, dtype=bool)
    product = np.full(n, -1, dtype=np.int64)
    quota = np.zeros(n)
    # Willingness to buy today: payday money, the festival and a new customer's first fortnight help.
    new_boost = np.where((pop.persona == NEW_ACTIVE) & (d - pop.open_day < 14), 2.5, 1.0)
    buy_will = pop.invest * new_boost * np.where(paid, 1.6, 1.0)
    rows: list[tuple[np.ndarray, ...]] = []
    push_rows = np.flatnonzero(state == S["PUSH"])
    rows.append((push_rows, np.zeros(push_rows.size, np.int64), state[push_rows],
                 np.full(push_rows.size, props.push + (0 if campaign else 1)), np.full(push_rows.size, -1),
                 np.zeros(push_rows.size)))
    wealth_w = _WEALTH_W.copy()
    if campaign:
        wealth_w[_FEST] *= 8  # the festival product is on every banner
    page_code = np.full(len(cat.STATES), -1, dtype=np.int64)
    for st, c in props.page.items():
        page_code[st] = c
    biz_all = np.isin(pop.occupation, (6, 7))
    income_all = ANNUAL_INCOME[pop.income]
    spendable = pop.wealth * pop.remain
    active = np.arange(n)
    for step in range(1, MAX_STEPS + 1):
        if active.size == 0:
            break
        cust = cust_all[active]
        u = rng.random(active.size)
        nxt = (u[:, None] > cdf[ses["variant"][active], state[active]]).sum(axis=1)
        nxt = np.where(cat.NEEDS_LOGIN[nxt] & ~logged[active], S["LOGIN"], nxt)
        if step == MAX_STEPS:
            nxt[:] = S["END"]
        prod = product[active]
        # Choose what is looked at, then let each customer's own interests decide what they do.
        at = _groups(nxt)
        i = at(S["PV_WEALTH"])
        prod[i] = _WEALTH_VIEW[_pick(rng, wealth_w, i.size)]
        i = at(S["PV_FUND"])
        prod[i] = _FUNDS[_pick(rng, _FUND_W, i.size)]
        i = at(S["PV_LOAN"])
        prod[i] = _LOANS[rng.integers(0, 2, i.size) + 2 * biz_all[cust[i]]]
        for st, boost in ((S["BUY_WEALTH"], 1.8 if campaign else 1.0), (S["BUY_FUND"], 1.0)):
            i = at(st)
            c = cust[i]
            # 适当性: no sale of a product riskier than the customer's own risk level.
            refuse = (rng.random(i.size) > buy_will[c] * boost) | (prod[i] < 0) | (_RISK[prod[i]] > pop.risk[c])
            nxt[i[refuse]] = S["END"]
        for st, base in ((S["LOANP"], 0.25), (S["PV_LOAN"], 0.25), (S["APPLY"], 0.3)):
            i = at(st)
            nxt[i[rng.random(i.size) > base + pop.borrow[cust[i]]]] = S["END"]
        at = _groups(nxt)

        amount = np.zeros(active.size)
        i = at(S["BUY_WEALTH"])
        median = np.log(np.maximum(0.15 * spendable[cust[i]], 10_000))
        amount[i] = np.maximum(1000, np.round(rng.lognormal(median, 0.6) / 1000) * 1000)
        i = at(S["BUY_FUND"])
        median = np.log(np.maximum(0.04 * spendable[cust[i]], 1000))
        amount[i] = np.maximum(10, np.round(rng.lognormal(median, 0.8) / 100) * 100)
        i = at(S["QUOTA"])
        c = cust[i]
        prod[i] = np.where(np.isin(prod[i], _LOANS), prod[i], _LOANS[2 * biz_all[c]])
        amount[i] = np.round(np.clip(income_all[c] * rng.uniform(0.3, 1.5, i.size) * (1 + 2 * biz_all[c]),
                                     20_000, 1_000_000), -3)
        quota[active[i]] = amount[i]
        i = at(S["APPLY"])
        amount[i] = np.maximum(5000, np.round(quota[active[i]] * rng.uniform(0.3, 1.0, i.size), -3))

        code = page_code[nxt]
        for st in (S["PV_WEALTH"], S["PV_FUND"], S["PV_LOAN"]):
            i = at(st)
            code[i] = props.product + prod[i]
        i = at(S["SEARCH"])
        code[i] = props.keyword + _pick(rng, _KEYWORD_W, i.size)
        i = at(S["COUPON"])
        code[i] = props.coupon + (rng.integers(0, 3, i.size) if campaign else 3 + rng.integers(0, 2, i.size))
        i = at(S["SHARE"])
        code[i] = props.share + rng.integers(0, 4, i.size)
        i = at(S["SIGNIN"])
        code[i] = props.sign_in + rng.integers(0, 3, i.size)
        i = at(S["START"])
        code[i] = props.app_start + np.where(ses["kind"][active[i]] == 1, 2, rng.integers(0, 2, i.size))
        i = at(S["LOGIN"])
        ios = pop.os[cust[i]] == 0
        code[i] = props.login + np.where(ios, _pick(rng, np.array([2, 2, 5, 1, 1.0]), i.size),
                                         _pick(rng, np.array([3, 5, 2, 1, 2.0]), i.size))

        product[active] = prod
        logged[active[i]] = True
        state[active] = nxt
        emit = nxt != S["END"]
        rows.append((active[emit], np.full(int(emit.sum()), step), nxt[emit], code[emit], prod[emit], amount[emit]))
        active = active[emit]
    sess, step, st, code, prod, amount = (np.concatenate(c) for c in zip(*rows, strict=True))
    return {"session": sess, "step": step, "state": st, "props": code, "product": prod, "amount": amount}


def day_events(
    rng: np.random.Generator, *, pop: Population, window: Window, d: int, paid: np.ndarray,
    paid_recent: np.ndarray, cdf: np.ndarray, props: PropsCatalogue, memory: Memory,
) -> dict[str, np.ndarray]:
    """Every event of window day `d` (sorted by time), plus what the ledger and identities need."""
    ses = _sessions(rng, pop, window, d, paid, paid_recent)
    ev = _walk(rng, pop, window, d, ses, cdf, props, paid)
    sess, state = ev["session"], ev["state"]
    cust = ses["customer"][sess]
    # identify: after a login that ends an anonymous visit, and at a customer's first login in the window.
    is_login = state == S["LOGIN"]
    login_rows = np.flatnonzero(is_login)
    _, first = np.unique(cust[login_rows], return_index=True)
    first_login = np.zeros(sess.size, dtype=bool)
    first_login[login_rows[first]] = True
    ident = is_login & (ses["anonymous"][sess] | (first_login & ~memory.identified[cust]))
    memory.identified[cust[is_login]] = True
    src = np.flatnonzero(ident)
    sess = np.concatenate([sess, sess[src]])
    order_key = np.concatenate([ev["step"] * 2, ev["step"][src] * 2 + 1])
    event = np.concatenate([cat.STATE_EVENT[state], np.full(src.size, cat.E_IDENTIFY)])
    props = np.concatenate([ev["props"], props.identify + pop.leaf[cust[src]]])
    product = np.concatenate([ev["product"], ev["product"][src]])
    amount = np.concatenate([ev["amount"], np.zeros(src.size)])
    order = np.lexsort((order_key, sess))
    sess, event, props, product, amount = sess[order], event[order], props[order], product[order], amount[order]
    cust = ses["customer"][sess]
    channel = ses["channel"][sess]

    # Clock: each visit starts at its time of day; steps follow a few seconds to a minute apart.
    gaps = rng.lognormal(np.log(9.0), 0.9, sess.size) * US_PER_SECOND
    gaps[event == cat.E_IDENTIFY] = 0.2 * US_PER_SECOND
    starts = np.ones(sess.size, dtype=bool)
    starts[1:] = sess[1:] != sess[:-1]
    gaps[starts] = 0
    csum = np.cumsum(gaps)
    offset = csum - csum[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    ts = window.midnight_utc_us(d) + ses["secs"][sess] * US_PER_SECOND + offset.astype(np.int64)
    # Before logging in, an anonymous visitor has no userId (the demo still knows who it was).
    login_pos = np.where(event == cat.E_LOGIN, np.arange(sess.size), sess.size)
    first_pos = np.minimum.reduceat(login_pos, np.flatnonzero(starts)) if sess.size else login_pos
    logged = ~ses["anonymous"][sess] | (np.arange(sess.size) >= first_pos[np.cumsum(starts) - 1])
    anon_session = np.where(ses["anonymous"][sess], memory.sessions + sess, -1)

    page = event == cat.E_PAGE
    etype = np.select([event == cat.E_IDENTIFY, page & (channel == cat.C_APP), page],
                      [cat.T_IDENTIFY, cat.T_SCREEN, cat.T_PAGE], cat.T_TRACK)
    dynamic = np.isin(event, (cat.E_FUND_BUY, cat.E_WEALTH_BUY, cat.E_QUOTA, cat.E_APPLY))
    props = np.where(dynamic, -1, props)
    out = {"event": event, "type": etype, "customer": cust, "logged": logged, "anon_session": anon_session,
           "ts": ts, "channel": channel, "props": props, "product": product, "amount": amount}

    # Loan payouts: most applications are approved and paid out one to three days later.
    applies = np.flatnonzero(event == cat.E_APPLY)
    ok = applies[rng.random(applies.size) < 0.4 + 0.08 * pop.income[cust[applies]]]
    payout = {"event": np.full(ok.size, cat.E_DISBURSE), "type": np.full(ok.size, cat.T_TRACK),
              "customer": cust[ok], "logged": np.ones(ok.size, bool), "anon_session": np.full(ok.size, -1),
              "ts": ts[ok] + (rng.uniform(0.5, 3.0, ok.size) * US_PER_DAY).astype(np.int64),
              "channel": np.full(ok.size, cat.C_SERVER), "props": np.full(ok.size, -1), "product": product[ok],
              "amount": np.round(amount[ok] * np.where(rng.random(ok.size) < 0.8, 1.0, 0.6), -3)}
    out = {k: np.concatenate([out[k], payout[k]]) for k in out}
    keep = out["ts"] <= window.cutoff_us
    order = np.argsort(out["ts"][keep], kind="stable")
    out = {k: v[keep][order] for k, v in out.items()}
    out["received"] = out["ts"] + _delays(rng, out["channel"])
    out["context"] = cat.context_code(out["channel"], pop.os[out["customer"]], pop.app_version[out["customer"]])

    # Identity links of anonymous visits that logged in, at the moment of login.
    linked = (out["anon_session"] >= 0) & (out["event"] == cat.E_LOGIN)
    out_links = {"anon_session": out["anon_session"][linked], "customer": out["customer"][linked],
                 "ts": out["ts"][linked]}
    _, first_link = np.unique(out_links["anon_session"], return_index=True)
    memory.sessions += ses["customer"].size
    return {**out, **{f"link_{k}": v[first_link] for k, v in out_links.items()}}


def _delays(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    """Microseconds between an event happening and reaching the server (some phones were offline)."""
    delay = rng.lognormal(np.log(0.35), 0.8, channel.size) * US_PER_SECOND
    offline = (channel == cat.C_APP) & (rng.random(channel.size) < 0.03)
    delay = np.where(offline, rng.uniform(60, 1800, channel.size) * US_PER_SECOND, delay)
    return delay.astype(np.int64)


def purchases(events: dict[str, np.ndarray], midnight_us: int) -> dict[str, np.ndarray]:
    """The day's purchases and loan payouts, in the shape the ledger takes."""
    buy = np.isin(events["event"], (cat.E_FUND_BUY, cat.E_WEALTH_BUY))
    pay = events["event"] == cat.E_DISBURSE
    ch = np.where(events["channel"] == cat.C_BRANCH, 4, np.where(events["channel"] == cat.C_WECHAT, 5, 3))
    secs = (events["ts"] - midnight_us) // US_PER_SECOND
    return {"buy_customer": events["customer"][buy], "buy_secs": secs[buy], "buy_amount": events["amount"][buy],
            "buy_product": events["product"][buy], "buy_channel": ch[buy],
            "loan_customer": events["customer"][pay], "loan_secs": secs[pay], "loan_amount": events["amount"][pay],
            "loan_product": events["product"][pay]}

