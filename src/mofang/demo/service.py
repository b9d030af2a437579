"""`mofang seed`: generate the demo bank in chunks and load it, one transaction per chunk."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
from tqdm import tqdm

from mofang.demo import behaviour, catalogue, ledger, writer
from mofang.demo.books import Books, open_books
from mofang.demo.contracts import SeedReport
from mofang.demo.directory import demo_users, write_directory
from mofang.demo.finance import Holdings, aum_series, make_holdings, settle
from mofang.demo.loader import Clock, Loader
from mofang.demo.orgs import OrgTree, build_org_tree
from mofang.demo.people import phones
from mofang.demo.population import EMPLOYERS, Population, Staff, make_population
from mofang.demo.products import products_table
from mofang.demo.records import customers_table, staff_table
from mofang.demo.timeline import Window, payday_table
from mofang.platform.context import Platform

BEIJING = ZoneInfo("Asia/Shanghai")
CUSTOMER_CHUNK = 50_000  # customers per chunk of customers/holdings/aum_daily (fixed: part of determinism)
ROW_CHUNK = 3_000_000  # events (or transactions) buffered before one write
DUCKDB_MEMORY = "3GB"  # DuckDB's own cap while loading, so a 100M-event bank stays well under 8 GB


@contextmanager
def _memory_cap(platform: Platform) -> Iterator[None]:
    """Cap DuckDB's buffer memory during the load and restore the previous setting afterwards."""
    before = platform.store.scalar("SELECT current_setting('memory_limit')")
    with platform.store.write() as cur:
        cur.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    try:
        yield
    finally:
        with platform.store.write() as cur:
            cur.execute(f"SET memory_limit = '{before}'")


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """An independent, reproducible random stream per purpose (and per chunk or day)."""
    return np.random.default_rng([seed, *stream])


def generate_bank(
    *, platform: Platform, customers: int = 20_000, days: int = 90, seed: int = 42, progress: bool = False,
    end_date: date | None = None,
) -> SeedReport:
    """Generate a realistic demo bank ending `end_date` (default today); do nothing if one exists."""
    started = time.perf_counter()
    store = platform.store
    existing = store.scalar("SELECT count(*) FROM customers")
    if existing:
        return SeedReport(counts={"customers": int(existing)}, seconds=0.0, existed=True)
    if not 1 <= customers <= writer.MAX_CUSTOMERS or days < 1:
        raise ValueError(f"customers must be 1..{writer.MAX_CUSTOMERS:,} and days at least 1")
    now = datetime.now(UTC) if end_date is None else None
    end = end_date or datetime.now(BEIJING).date()
    window = Window.ending(end, days, now)
    # Events stop at the moment of generation when the window ends today; stored times are naive UTC.
    updated_at = datetime.fromtimestamp(window.cutoff_us / 1e6, UTC).replace(tzinfo=None)

    with _memory_cap(platform):
        return _generate(platform, customers=customers, window=window, seed=seed, progress=progress,
                         updated_at=updated_at, started=started)


def _generate(platform: Platform, *, customers: int, window: Window, seed: int, progress: bool,
              updated_at: datetime, started: float) -> SeedReport:
    """The whole generation, table by table (customers last: their presence marks a finished bank)."""
    tree = build_org_tree()
    pop, staff = make_population(rng_for(seed, 0), n=customers, tree=tree, window=window)
    holdings = make_holdings(rng_for(seed, 1), pop, window)  # the split today's AUM will be settled into
    books = open_books(rng_for(seed, 2), pop, holdings, window, tree)
    with platform.metadata.session() as session:
        write_directory(session=session, tree=tree, users=demo_users(pop, staff, tree))

    counts: dict[str, int] = defaultdict(int)
    with platform.store.write() as cur:
        if writer.status(cur) == "partial":
            writer.clear_partial(cur)
        writer.mark(cur, "partial")
        counts["products"] = writer.insert_table(cur, "products", products_table(), replace=True)
        counts["relationship_managers"] = writer.insert_table(
            cur, "relationship_managers", staff_table(staff, tree), replace=True)

    clock = Clock()
    loader = Loader(platform.store, clock)
    try:
        _daily(loader, clock, seed=seed, pop=pop, holdings=holdings, books=books, window=window, tree=tree,
               counts=counts, progress=progress)
        holdings = settle(holdings, books.balance)
        _balances(loader, clock, pop=pop, holdings=holdings, books=books, window=window, counts=counts,
                  progress=progress)
        _customers(loader, clock, platform=platform, seed=seed, pop=pop, staff=staff, tree=tree,
                   holdings=holdings, updated_at=updated_at, counts=counts, progress=progress)
        loader.submit("customers", lambda cur: writer.mark(cur, "complete"))
    finally:
        loader.close()
    platform.store.checkpoint()
    return SeedReport(counts=dict(counts), seconds=time.perf_counter() - started, seed=seed,
                      end_date=window.end.isoformat(), table_seconds=dict(clock.seconds))


def _balances(loader: Loader, clock: Clock, *, pop: Population, holdings: Holdings, books: Books, window: Window,
              counts: dict[str, int], progress: bool) -> None:
    """Current holdings and the daily AUM history the ledger's flows add up to, a chunk of customers at a time."""
    dates = window.dates()
    with tqdm(total=pop.n, desc="balances", unit="cust", disable=not progress) as bar:
        for lo in range(0, pop.n, CUSTOMER_CHUNK):
            hi = min(pop.n, lo + CUSTOMER_CHUNK)
            rows = (holdings.customer >= lo) & (holdings.customer < hi)
            h = (holdings.customer[rows], holdings.product[rows], holdings.balance[rows], holdings.opened[rows])
            loader.submit("holdings", lambda cur, h=h: writer.insert_holdings(cur, *h))
            counts["holdings"] += int(rows.sum())
            with clock.on("aum_daily"):
                path, valid = aum_series(books.delta[lo:hi], holdings.aum[lo:hi], pop.open_day[lo:hi])
                r, c = np.nonzero(valid)
                a = (lo + r, dates[c], path[r, c])
            loader.submit("aum_daily", lambda cur, a=a: writer.insert_aum_daily(cur, *a))
            counts["aum_daily"] += r.size
            bar.update(hi - lo)


def _daily(loader: Loader, clock: Clock, *, seed: int, pop: Population, holdings: Holdings, books: Books,
           window: Window, tree: OrgTree, counts: dict[str, int], progress: bool) -> None:
    """Events and transactions day by day (posted to the books), handed to the loader whenever a buffer fills."""
    cdf = catalogue.transition_cdf()
    props = catalogue.props_catalogue(window, tree)
    lookups = writer.Lookups(props=props.texts, contexts=catalogue.context_catalogue())
    ctx = ledger.ledger_context(pop, holdings)
    pays = payday_table(window, np.array([e[1] for e in EMPLOYERS]))
    emp = np.maximum(pop.employer, 0)
    has_employer = pop.employer >= 0
    memory = behaviour.Memory(identified=np.zeros(pop.n, dtype=bool))
    ev_buf: list[dict[str, np.ndarray]] = []
    tx_buf: list[dict[str, np.ndarray]] = []

    def flush(force: bool = False) -> None:
        if ev_buf and (force or sum(b["event"].size for b in ev_buf) >= ROW_CHUNK):
            with clock.on("events"):
                batch = {k: np.concatenate([b[k] for b in ev_buf]) for k in ev_buf[0] if not k.startswith("link_")}
                links = {k[5:]: np.concatenate([b[k] for b in ev_buf]) for k in ev_buf[0] if k.startswith("link_")}
            first = counts["events"] + 1

            def load_events(cur: duckdb.DuckDBPyConnection) -> None:
                writer.insert_events(cur, batch, first_n=first, seed=seed, lookups=lookups)
                writer.insert_identities(cur, links, seed=seed)

            loader.submit("events", load_events)
            counts["events"] += batch["event"].size
            counts["identities"] += links["anon_session"].size
            ev_buf.clear()
        if tx_buf and (force or sum(b["txn_type"].size for b in tx_buf) >= ROW_CHUNK):
            with clock.on("transactions"):
                txns = {k: np.concatenate([b[k] for b in tx_buf]) for k in tx_buf[0]}
            first_tx = counts["transactions"] + 1
            loader.submit("transactions",
                          lambda cur: writer.insert_transactions(cur, txns, first_n=first_tx, seed=seed))
            counts["transactions"] += txns["txn_type"].size
            tx_buf.clear()

    with tqdm(total=window.days, desc="events+txns", unit="day", disable=not progress) as bar:
        for d in range(window.days):
            paid = pays[d][emp] & has_employer
            paid_recent = pays[d - 1][emp] & has_employer if d > 0 else np.zeros(pop.n, dtype=bool)
            with clock.on("events"):
                events = behaviour.day_events(rng_for(seed, 3, d), pop=pop, window=window, d=d, paid=paid,
                                              paid_recent=paid_recent, cdf=cdf, props=props, memory=memory)
            with clock.on("transactions"):
                extra = behaviour.purchases(events, window.midnight_utc_us(d))
                tx_buf.append(ledger.day_transactions(rng_for(seed, 4, d), pop=pop, ctx=ctx, books=books,
                                                      window=window, d=d, paid_today=paid, extra=extra))
            ev_buf.append(events)
            flush()
            bar.update(1)
    flush(force=True)


def _customers(loader: Loader, clock: Clock, *, platform: Platform, seed: int, pop: Population, staff: Staff,
               tree: OrgTree, holdings: Holdings, updated_at: datetime, counts: dict[str, int],
               progress: bool) -> None:
    """The customers table, PII encrypted, a chunk at a time."""
    phone_numbers = phones(rng_for(seed, 5), pop.n)
    with tqdm(total=pop.n, desc="customers", unit="cust", disable=not progress) as bar:
        for k, lo in enumerate(range(0, pop.n, CUSTOMER_CHUNK)):
            hi = min(pop.n, lo + CUSTOMER_CHUNK)
            with clock.on("customers"):
                table = customers_table(
                    rng_for(seed, 6, k), pop=pop, staff=staff, tree=tree, holdings=holdings, phones=phone_numbers,
                    lo=lo, hi=hi, encrypt=platform.cipher.encrypt, updated_at=updated_at)
            loader.submit("customers", lambda cur, t=table: writer.insert_table(cur, "customers", t))
            counts["customers"] += hi - lo
            bar.update(hi - lo)
