"""Each customer's running AUM, carried from day to day: the daily AUM series is the ledger's flows added up.

Money only enters or leaves AUM through a transaction (wages, transfers, card spending, repayments, loan
payouts); the rest of a day's change is the market moving funds and gold. Purchases and redemptions move
money between a customer's own products and leave AUM as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mofang.demo.finance import Holdings, days_since_payday
from mofang.demo.orgs import OrgTree
from mofang.demo.population import DORMANT, Population
from mofang.demo.products import PRODUCTS
from mofang.demo.timeline import US_PER_DAY, Window

MONTH = 30.0
BASE_GROWTH = 0.003  # monthly growth of an ordinary customer's savings
PROVINCE_SPREAD = 0.012  # monthly growth differs by 省分行 ...
LEAF_SPREAD = 0.01  # ... and by 支行: some branches gain money, some lose it
DORMANT_DRIFT = 0.004  # daily share of a dormant customer's money drifting away
MARKET_DRIFT, MARKET_SIGMA, OWN_SIGMA = 0.0002, 0.004, 0.004  # daily returns of market-priced holdings


@dataclass
class Books:
    """Balances and the level each customer's money gravitates to; `delta` keeps every day's AUM change."""

    balance: np.ndarray  # AUM at the end of the last posted day
    core: np.ndarray  # savings apart from this month's wages: follows growth, drift, churn and new money
    growth: np.ndarray  # daily log-growth of core
    wage: np.ndarray  # monthly wage landing by 代发 (0: none)
    wage_until: np.ndarray  # window day wages stop arriving here (a churner's employer pays elsewhere)
    employer: np.ndarray  # employer index (0 where there is no wage)
    since_payday: np.ndarray  # (employers, days + 1), from the day before the window
    exposure: np.ndarray  # share of AUM priced by the market (funds, gold)
    delta: np.ndarray  # (customers, days) float32
    pending: dict[int, np.ndarray] = field(default_factory=dict)  # inflows booked for a later day

    def cash(self, d: int) -> np.ndarray:
        """The part of this month's wages not yet spent on day `d` (a sawtooth from payday to payday)."""
        left = np.clip(1 - self.since_payday[self.employer, d + 1] / MONTH, 0, 1)
        return self.wage * left * (d < self.wage_until)

    def target(self, d: int) -> np.ndarray:
        """Where each customer's AUM tends to on day `d`."""
        return self.core + self.cash(d)

    def available(self, d: int) -> np.ndarray:
        """AUM at the start of day `d` plus inflows booked earlier for it."""
        return self.balance + self.pending.get(d, 0.0)

    def post(self, rng: np.random.Generator, window: Window, d: int, customer: np.ndarray, change: np.ndarray,
             ts: np.ndarray) -> None:
        """Close day `d`: add its flows (AUM change per transaction, dated by `ts`) and the market's move."""
        n = self.balance.size
        day = (ts - window.midnight_utc_us(0)) // US_PER_DAY
        today = day <= d
        flow = np.bincount(customer[today], weights=change[today], minlength=n) + self.pending.pop(d, 0.0)
        for later in np.unique(day[~today]):
            rows = day == later
            booked = np.bincount(customer[rows], weights=change[rows], minlength=n)
            self.pending[int(later)] = self.pending.get(int(later), 0.0) + booked
        ret = self.exposure * (rng.normal(MARKET_DRIFT, MARKET_SIGMA) + rng.normal(0, OWN_SIGMA, n))
        before = self.balance
        self.balance = np.maximum(before + flow + before * ret, 0.0)  # cents of rounding never go negative
        self.core = self.core * np.exp(self.growth) * (1 + ret)
        self.delta[:, d] = self.balance - before


def open_books(rng: np.random.Generator, pop: Population, holdings: Holdings, window: Window,
               tree: OrgTree) -> Books:
    """Opening balances on the window's first day, chosen so that today's AUM lands near each customer's wealth."""
    n, days = pop.n, window.days
    provinces = np.unique([leaf.province_id for leaf in tree.leaves], return_inverse=True)[1]
    monthly = (BASE_GROWTH + rng.normal(0, PROVINCE_SPREAD, provinces.max() + 1)[provinces]
               + rng.normal(0, LEAF_SPREAD, provinces.size))[pop.leaf]
    growth = np.where(pop.persona == DORMANT, -DORMANT_DRIFT, monthly / MONTH)
    existing = pop.open_day < 0
    core = np.where(existing, pop.wealth * np.exp(-growth * days), 0.0)
    priced = np.isin(np.array([p.shelf for p in PRODUCTS]), ("fund", "gold"))[holdings.product]
    exposed = np.bincount(holdings.customer, weights=np.where(priced, holdings.balance, 0.0), minlength=n)
    books = Books(
        balance=np.zeros(n), core=core, growth=growth, wage=np.where(pop.employer >= 0, pop.salary, 0.0),
        wage_until=pop.churn_start, employer=np.maximum(pop.employer, 0), since_payday=days_since_payday(window),
        exposure=np.divide(exposed, holdings.aum, out=np.zeros(n), where=holdings.aum > 0),
        delta=np.zeros((n, days), dtype=np.float32))
    books.balance = np.where(existing, books.target(-1), 0.0)
    return books
