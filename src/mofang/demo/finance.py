"""Balances: what each customer holds today, and how their AUM moved day by day to get there."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mofang.demo.population import CHURNER, DORMANT, EMPLOYERS, NEW_ACTIVE, NEW_FADING, Population
from mofang.demo.products import index_of, liabilities, on_shelf, risk_levels
from mofang.demo.timeline import Window, payday_table

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


def churn_days(pop: Population, window: Window) -> np.ndarray:
    """The window days a churner moves money out (rows × 3); only meaningful for churners."""
    return np.clip(pop.churn_start[:, None] + CHURN_STEPS[None, :], 1, window.days - 1)


def churn_keep(pop: Population) -> np.ndarray:
    """Share of AUM kept at each outflow step, so that three steps leave `remain`."""
    return pop.remain ** (1.0 / CHURN_STEPS.size)


def aum_paths(
    rng: np.random.Generator, pop: Population, holdings: Holdings, window: Window, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """Daily AUM of customers lo..hi-1 (rows × days) ending at today's AUM, and which days exist."""
    idx = np.arange(lo, hi)
    k, days = idx.size, window.days
    t = np.arange(days)[None, :]
    final = holdings.aum[idx][:, None]
    persona = pop.persona[idx][:, None]
    # Random walk in log space, pinned to zero today so the path ends at today's balance.
    sigma = np.where(persona == CHURNER, 0.002, rng.uniform(0.002, 0.012, (k, 1)))
    walk = np.cumsum(rng.normal(0, 1, (k, days)) * sigma, axis=1)
    walk -= walk[:, -1:]
    walk += np.where(persona == DORMANT, 0.004, 0.0) * (days - 1 - t)  # money slowly drifting away
    path = np.exp(walk)
    # Wages arrive on payday and are spent down over the month (a sawtooth on top of savings).
    since = days_since_payday(window)
    emp = np.maximum(pop.employer[idx], 0)  # customers without an employer have no wage to add
    cash = (pop.salary[idx][:, None] * np.clip(1 - since[emp] / 30.0, 0, 1)
            * (persona != CHURNER))
    core = np.maximum(final - cash[:, -1:], 0.3 * final)
    path = core * path + cash
    # Churners: money leaves in three steps after the outflow starts.
    steps = churn_days(pop, window)[idx]
    keep = churn_keep(pop)[idx][:, None]
    n_done = (t[:, :, None] >= steps[:, None, :]).sum(axis=2) if k else np.zeros((0, days), int)
    path = path * np.where(persona == CHURNER, keep ** n_done, 1.0)
    # New customers start from a first deposit and build up (those who activate) or stay small.
    since_open = t - pop.open_day[idx][:, None]
    ramp = np.clip(0.1 + since_open / 15.0, 0.1, 1.0)
    path = np.where(persona == NEW_ACTIVE, path * ramp, path)
    path = np.where(persona == NEW_FADING, path * np.clip(0.5 + since_open / 30.0, 0.5, 1.0), path)
    path = np.where(path[:, -1:] > 0, path * final / np.where(path[:, -1:] > 0, path[:, -1:], 1), 0.0)
    path[:, -1] = final[:, 0]
    return np.round(path, 2), since_open >= 0


def days_since_payday(window: Window) -> np.ndarray:
    """Days since each employer last paid wages (capped at 30), shape (employers, days)."""
    pays = payday_table(window, np.array([e[1] for e in EMPLOYERS]))
    since = np.full((pays.shape[1], window.days), 30)
    for e in range(pays.shape[1]):
        last = -30
        for d in range(window.days):
            last = d if pays[d, e] else last
            since[e, d] = min(30, d - last)
    return since

