"""Balances: what each customer holds today, and the daily AUM series that leads up to it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mofang.demo.population import EMPLOYERS, Population
from mofang.demo.products import index_of, liabilities, on_shelf, risk_levels
from mofang.demo.timeline import Window, payday_of_month

TIERS = ("大众", "潜力", "财富", "私行")
TIER_FLOORS = np.array([0.0, 50_000.0, 500_000.0, 6_000_000.0])
CHURN_STEPS = np.array([2, 9, 17])  # days after the outflow starts on which money leaves


@dataclass(frozen=True)
class Holdings:
    """Current balances in long form (one row per customer and product) and the AUM they add up to."""

    customer: np.ndarray
    product: np.ndarray
    balance: np.ndarray
    opened: np.ndarray  # datetime64[D]
    aum: np.ndarray  # per customer: sum of non-liability balances

    def tiers(self) -> np.ndarray:
        """Tier index per customer by AUM."""
        return np.searchsorted(TIER_FLOORS, self.aum, side="right") - 1


def _choose(rng: np.random.Generator, options: np.ndarray, weights: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """One product per row among `options` (weighted), only where `allowed` (rows × options) holds."""
    score = np.where(allowed, rng.random(allowed.shape) ** (1.0 / weights), -1.0)
    return options[np.argmax(score, axis=1)]


def make_holdings(rng: np.random.Generator, pop: Population, window: Window) -> Holdings:
    """Split each customer's AUM across deposits and investments, and add their loans and cards."""
    n = pop.n
    target = pop.wealth * pop.remain
    youth = np.clip((55 - pop.age) / 30, 0, 1)
    # Which shelves each customer holds, then how much of their AUM sits on each.
    present = np.column_stack([
        np.ones(n, dtype=bool),
        rng.random(n) < 0.2 + 0.3 * (target > 20_000) + 0.15 * (pop.age > 50),
        (target >= 300_000) & (rng.random(n) < 0.5),
        (target >= 10_000) & (rng.random(n) < 0.1 + 0.6 * pop.invest),
        (pop.risk >= 2) & (rng.random(n) < 0.05 + 0.45 * pop.invest * (0.5 + youth)),
        rng.random(n) < 0.04 + 0.12 * (target > 100_000),
        rng.random(n) < 0.02 + 0.04 * (target > 200_000),
    ])
    shape = np.array([0.7, 1.6, 2.5, 2.0, 1.0, 0.8, 0.4])
    w = rng.gamma(shape, size=(n, shape.size)) * present
    share = w / w.sum(axis=1, keepdims=True)
    amount = share * target[:, None]
    # A 大额存单 needs at least 20万; below that the money stays in a time deposit.
    small_cd = amount[:, 2] < 200_000
    amount[:, 1] += np.where(small_cd, amount[:, 2], 0)
    amount[:, 2] = np.where(small_cd, 0, amount[:, 2])

    risk = risk_levels()
    shelves = [
        np.array([index_of("DEP-CUR")]), on_shelf("deposit")[1:5], on_shelf("deposit")[5:],
        on_shelf("wealth"), on_shelf("fund"), on_shelf("insurance"), on_shelf("gold"),
    ]
    pick_weights = [np.ones(1), np.array([1, 2, 4, 2.0]), np.array([1, 1.5]),
                    np.array([3, 4, 3, 2, 2, 1.5, 1, 1.0]), np.array([4, 2, 3, 2, 3, 2, 2, 1, 1, 1.0]),
                    np.array([2, 2, 1.0]), np.array([3, 1.0])]
    cust, prod, bal = [], [], []
    for k, options in enumerate(shelves):
        sel = np.flatnonzero(amount[:, k] > 0)
        allowed = risk[options][None, :] <= np.maximum(pop.risk[sel], 1)[:, None]
        allowed[:, 0] |= ~allowed.any(axis=1)  # the least risky product is open to everyone
        cust.append(sel)
        prod.append(_choose(rng, options, pick_weights[k], allowed))
        bal.append(amount[sel, k])

    # Liabilities: mortgages for working-age earners, consumer and business loans, credit cards.
    income = pop.income  # higher earners borrow more (and are lent more)
    mort = (pop.age >= 25) & (pop.age <= 58) & (rng.random(n) < 0.04 + 0.05 * income)
    cons = rng.random(n) < 0.02 + 0.12 * pop.borrow
    biz = np.isin(pop.occupation, (6, 7)) & (rng.random(n) < 0.35)
    card = rng.random(n) < 0.2 + 0.2 * youth + 0.05 * income
    card_kind = np.select([pop.age < 30, target >= 500_000, target >= 50_000], [3, 2, 1], 0)
    for mask, options, scale, sigma in (
        (mort, np.array([index_of("LN-MORT"), index_of("LN-MORT-P")]), 900_000, 0.6),
        (cons, np.array([index_of("LN-CONS"), index_of("LN-CONS-E")]), 60_000, 0.7),
        (biz, np.array([index_of("LN-BIZ"), index_of("LN-BIZ-T")]), 500_000, 0.8),
    ):
        sel = np.flatnonzero(mask)
        cust.append(sel)
        prod.append(options[rng.integers(0, options.size, sel.size)])
        bal.append(rng.lognormal(np.log(scale), sigma, sel.size) * (0.7 + 0.15 * pop.income[sel]))
    sel = np.flatnonzero(card)
    cust.append(sel)
    prod.append(on_shelf("card")[card_kind[sel]])
    bal.append(np.where(rng.random(sel.size) < 0.2, 0.0, rng.lognormal(np.log(3000), 1.0, sel.size)))

    customer = np.concatenate(cust)
    product = np.concatenate(prod)
    balance = np.round(np.concatenate(bal), 2)
    order = np.lexsort((product, customer))
    customer, product, balance = customer[order], product[order], balance[order]
    # Opened some time between the account's opening and today; the 理财节 product during the campaign.
    end = np.datetime64(window.end, "D")
    span = (end - pop.open_date[customer]).astype(np.int64)
    opened = end - (rng.random(customer.size) * span).astype("timedelta64[D]")
    fest = product == index_of("WM-FEST")
    lo, hi = window.campaign()
    opened[fest] = np.datetime64(window.start, "D") + rng.integers(lo, hi, int(fest.sum())).astype("timedelta64[D]")
    opened = np.maximum(opened, pop.open_date[customer])
    assets = np.where(liabilities()[product], 0.0, balance)
    aum = np.round(np.bincount(customer, weights=assets, minlength=n), 2)
    return Holdings(customer=customer, product=product, balance=balance, opened=opened, aum=aum)


def settle(holdings: Holdings, final: np.ndarray) -> Holdings:
    """The same products, each customer's assets scaled so that they add up to the AUM the ledger arrived at."""
    assets = ~liabilities()[holdings.product]
    scale = np.divide(final, holdings.aum, out=np.zeros_like(final), where=holdings.aum > 0)[holdings.customer]
    balance = np.where(assets, np.round(holdings.balance * scale, 2), holdings.balance)
    aum = np.round(np.bincount(holdings.customer, weights=np.where(assets, balance, 0.0), minlength=final.size), 2)
    return Holdings(customer=holdings.customer, product=holdings.product, balance=balance, opened=holdings.opened,
                    aum=aum)


def churn_days(pop: Population, window: Window) -> np.ndarray:
    """The window days a churner moves money out (rows × 3); only meaningful for churners."""
    return np.clip(pop.churn_start[:, None] + CHURN_STEPS[None, :], 1, window.days - 1)


def churn_keep(pop: Population) -> np.ndarray:
    """Share of AUM kept at each outflow step, so that three steps leave `remain`."""
    return pop.remain ** (1.0 / CHURN_STEPS.size)


def aum_series(delta: np.ndarray, final: np.ndarray, open_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily AUM (rows × days) ending at `final`, going back through each day's change, and which days exist."""
    after = np.cumsum(delta[:, :0:-1], axis=1, dtype=np.float64)[:, ::-1]  # change after each day but the last
    path = final[:, None] - np.concatenate([after, np.zeros((delta.shape[0], 1))], axis=1)
    path = np.round(np.maximum(path, 0.0), 2)
    path[:, -1] = final
    return path, np.arange(delta.shape[1])[None, :] >= open_day[:, None]


def days_since_payday(window: Window) -> np.ndarray:
    """Days since each employer last paid wages (capped at 30): (employers, days + 1), column d + 1 for day d."""
    start = window.start  # column 0, the day before the window, tells how much of a month's wages was left
    months = [(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1)
              for k in range(-2, (window.end.year - start.year) * 12 + window.end.month - start.month + 2)]
    days = np.arange(-1, window.days)
    since = np.full((len(EMPLOYERS), days.size), 30)
    for e, (_, dom, _) in enumerate(EMPLOYERS):
        pays = np.array(sorted((payday_of_month(y, m, dom) - start).days for y, m in months))
        last = pays[np.maximum(np.searchsorted(pays, days, side="right") - 1, 0)]
        since[e] = np.where(last <= days, np.minimum(days - last, 30), 30)
    return since
