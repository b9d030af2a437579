"""Read-only queries of effect evaluation over other centres' tables (engine, reach, benefits, policy) and DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Session

from mofang.monitor.effects import columns
from mofang.monitor.effects.models import EffectFixedCost
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.eventstore import EventStore

# Other centres' tables, declared here column by column: this package only reads them.
INSTANCES = table("engine_instances", column("id", Integer), column("strategy_id", Integer),
                  column("customer_id", String), column("org_code", String), column("rm_id", String),
                  column("entered_at", DateTime),
                  column("converted_at", DateTime), column("holdout", Boolean), column("variant", String))
VERSIONS = table("engine_versions", column("strategy_id", Integer), column("version", Integer),
                 column("graph", JSON), column("org_code", String))
STRATEGIES = table("strategies", column("id", Integer), column("name", String), column("owner_org", String))
DELIVERIES = table("reach_deliveries", column("strategy_id", Integer), column("campaign_id", Integer),
                   column("customer_org_code", String), column("customer_rm_id", String),
                   column("channel", String), column("status", String), column("reason", String),
                   column("cost_fen", Integer), column("delivered_at", DateTime), column("opened_at", DateTime),
                   column("clicked_at", DateTime), column("instance_id", Integer), column("created_at", DateTime))
GRANTS = table("benefit_grants", column("id", Integer), column("benefit_id", Integer), column("campaign_id", Integer),
               column("customer_id", String), column("org_code", String), column("status", String),
               column("cost_fen", Integer))
DEFS = table("benefit_definitions", column("id", Integer), column("kind", String))
BENEFIT_EVENTS = table("benefit_events", column("grant_id", Integer), column("kind", String),
                       column("amount_fen", Integer))
POLICY = table("policy_settings", column("control_percent", Integer), column("control_salt", String))


def _in_scope(org: Any, rm: Any, scope: Scope) -> ColumnElement[bool]:
    """Rows of customers inside the viewer's scope: their branch subtree, or an RM's own book."""
    if scope.kind == "all":
        return sa_true()
    if scope.kind == "rm":
        return rm == (scope.rm_id or "")
    return or_(org == scope.org_code, func.substr(org, 1, len(scope.org_code) + 1) == scope.org_code + "-")


@dataclass(frozen=True)
class Entries:
    """The strategies' instances as columns: one element per customer entry inside the scope."""

    customer_id: pa.StringArray
    control: np.ndarray  # bool: in the comparison arm (holdout, or the A/B control variant)
    converted: np.ndarray  # bool
    day: np.ndarray  # datetime64[D]: the bank-local day of entry
    org_code: pa.StringArray  # the customer's branch at entry (null: none recorded)


def _conds(strategy_ids: Sequence[int], scope: Scope, since: datetime | None,
           until: datetime | None) -> list[ColumnElement[bool]]:
    i = INSTANCES.c
    conds = [i.strategy_id.in_(list(strategy_ids)), _in_scope(i.org_code, i.rm_id, scope)]
    if since is not None:
        conds.append(i.entered_at >= since)
    if until is not None:
        conds.append(i.entered_at < until)
    return conds


def control_expr(control_label: str | None, holdout: bool) -> ColumnElement[Any]:
    """1 for entries of the comparison arm, else 0 (as an integer: no per-row type conversion on the way out)."""
    i = INSTANCES.c
    if holdout:
        return case((i.holdout.is_(True), 1), else_=0)
    if control_label is not None:
        return case((i.variant == control_label, 1), else_=0)
    return literal(0)


def _local_day(session: Session, offset_seconds: int) -> ColumnElement[Any]:
    """Days since 1970-01-01 of the bank-local entry day, computed by the database (integers travel cheaply)."""
    col = INSTANCES.c.entered_at
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor((func.extract("epoch", col) + offset_seconds) / 86400), Integer)
    return cast(func.julianday(col) - 2440587.5 + offset_seconds / 86400.0, Integer)


def has_holdout(session: Session, *, strategy_ids: Sequence[int]) -> bool:
    """Whether any customer of the strategies was held out."""
    i = INSTANCES.c
    return session.execute(select(i.id).where(i.strategy_id.in_(list(strategy_ids)), i.holdout.is_(True))
                           .limit(1)).first() is not None


def entries(session: Session, *, strategy_ids: Sequence[int], scope: Scope, since: datetime | None,
            until: datetime | None, control: ColumnElement[Any], offset_seconds: int) -> Entries:
    """Every scoped entry of the strategies as columns: customer, arm, converted, local entry day, branch.

    One row comes back: each column aggregated into one string, decoded in C (a million rows as Python tuples
    cost most of the effect page's time)."""
    i = INSTANCES.c
    dialect = session.get_bind().dialect.name
    flags = control * 2 + case((i.converted_at.is_(None), 0), else_=1)  # one digit: arm and conversion

    def agg(expr: Any, sep: str = columns.SEP) -> ColumnElement[Any]:
        return columns.aggregate(expr, dialect=dialect, order_by=i.id, sep=sep)

    stmt = select(func.count(), agg(i.customer_id), agg(flags, ""), agg(_local_day(session, offset_seconds)),
                  agg(func.coalesce(i.org_code, columns.NULL_MARK))).where(
        and_(*_conds(strategy_ids, scope, since, until)))
    n, cid_text, flag_text, day_text, org_text = session.execute(stmt).one()
    cid, flag = columns.strings(cid_text, n), columns.digits(flag_text, n)
    day, org = columns.integers(day_text, n), columns.strings(org_text, n)
    if cid is None or flag is None or day is None or org is None:  # a value held the separator: read rows
        return _entry_rows(session, strategy_ids=strategy_ids, scope=scope, since=since, until=until,
                           control=control, offset_seconds=offset_seconds)
    return Entries(cid, flag >= 2, (flag % 2) == 1, day.astype("datetime64[D]"), org)


def _entry_rows(session: Session, *, strategy_ids: Sequence[int], scope: Scope, since: datetime | None,
                until: datetime | None, control: ColumnElement[Any], offset_seconds: int) -> Entries:
    """`entries` read row by row (slow; for values the aggregated read cannot carry)."""
    i = INSTANCES.c
    stmt = select(i.customer_id, control, case((i.converted_at.is_(None), 0), else_=1),
                  _local_day(session, offset_seconds), i.org_code).where(
        and_(*_conds(strategy_ids, scope, since, until))).order_by(i.id)
    rows = session.execute(stmt).all()
    cid, ctl, conv, day, org = zip(*rows, strict=True) if rows else ((), (), (), (), ())
    return Entries(pa.array(cid, pa.string()), np.array(ctl, dtype=bool), np.array(conv, dtype=bool),
                   np.array(day, dtype=np.int64).astype("datetime64[D]"), pa.array(org, pa.string()))


def treated_groups(session: Session, *, strategy_ids: Sequence[int], scope: Scope, since: datetime | None,
                   until: datetime | None, control: ColumnElement[Any], by: str) -> dict[str | None, tuple[int, int]]:
    """Treated entries and their conversions per branch or variant (`by`: org_code | variant)."""
    i = INSTANCES.c
    key = i.org_code if by == "org_code" else i.variant
    stmt = (select(key, func.count(), func.count(i.converted_at))
            .where(and_(*_conds(strategy_ids, scope, since, until)), control == 0).group_by(key))
    return {k: (int(n), int(x)) for k, n, x in session.execute(stmt)}


def latest_graphs(session: Session, strategy_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The newest published graph of each strategy (the engine's copy)."""
    v = VERSIONS.c
    out: dict[int, dict[str, Any]] = {}
    for sid, graph in session.execute(select(v.strategy_id, v.graph).where(v.strategy_id.in_(list(strategy_ids)))
                                      .order_by(v.strategy_id, v.version)):
        out[int(sid)] = graph or {}
    return out


def strategy_names(session: Session, strategy_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Name and owner org of each strategy."""
    s = STRATEGIES.c
    return {int(r.id): (r.name, r.owner_org) for r in session.execute(
        select(s.id, s.name, s.owner_org).where(s.id.in_(list(strategy_ids))))}


def strategies_entered(session: Session, *, scope: Scope, since: datetime, until: datetime) -> list[int]:
    """Strategies with at least one scoped customer entering in [since, until)."""
    i = INSTANCES.c
    return [int(x) for x in session.scalars(select(i.strategy_id).where(
        i.entered_at >= since, i.entered_at < until, _in_scope(i.org_code, i.rm_id, scope)).distinct())]


def _delivery_filter(strategy_ids: Sequence[int], campaign_id: int | None, scope: Scope) -> ColumnElement[bool]:
    d = DELIVERIES.c
    which = d.strategy_id.in_(list(strategy_ids))
    if campaign_id is not None:
        which = or_(which, d.campaign_id == campaign_id)
    return and_(which, _in_scope(d.customer_org_code, d.customer_rm_id, scope))


def delivery_counts(session: Session, *, strategy_ids: Sequence[int], campaign_id: int | None,
                    scope: Scope, by_variant: bool) -> list[dict[str, Any]]:
    """Messages per (channel, branch, variant, status, reason) with receipts and cost (fen), scoped; the join to
    the instances for the variant only when the strategies split into variants (it costs a pass over the log)."""
    d, i = DELIVERIES.c, INSTANCES.c
    variant = i.variant if by_variant else literal(None, String)
    stmt = (select(d.channel, d.customer_org_code.label("org"), variant.label("variant"), d.status, d.reason,
                   func.count().label("n"), func.count(d.delivered_at).label("delivered"),
                   func.count(d.opened_at).label("opened"), func.count(d.clicked_at).label("clicked"),
                   func.coalesce(func.sum(d.cost_fen), 0).label("cost"))
            .where(_delivery_filter(strategy_ids, campaign_id, scope)))
    if by_variant:
        stmt = stmt.select_from(DELIVERIES.outerjoin(INSTANCES, i.id == d.instance_id)).group_by(
            d.channel, d.customer_org_code, i.variant, d.status, d.reason)
    else:
        stmt = stmt.group_by(d.channel, d.customer_org_code, d.status, d.reason)
    return [dict(r._mapping) for r in session.execute(stmt)]


def benefit_costs(session: Session, *, campaign_id: int | None, strategy_ids: Sequence[int], scope: Scope,
                  basis: str) -> dict[str, int]:
    """Benefit cost (fen) per kind of the campaign's grants to scoped customers: issued, or redeemed amounts."""
    if campaign_id is None:
        return {}
    g, k, e, i = GRANTS.c, DEFS.c, BENEFIT_EVENTS.c, INSTANCES.c
    conds = [g.campaign_id == campaign_id]
    if scope.kind == "rm":
        # Grants carry the branch, not the RM: an RM sees the grants of customers in their book who entered.
        conds.append(g.customer_id.in_(select(i.customer_id).where(i.strategy_id.in_(list(strategy_ids)),
                                                                   i.rm_id == (scope.rm_id or ""))))
    elif scope.kind == "org":
        conds.append(_in_scope(g.org_code, None, scope))
    if basis == "redeemed":
        stmt = (select(k.kind, func.coalesce(func.sum(e.amount_fen), 0))
                .select_from(BENEFIT_EVENTS.join(GRANTS, g.id == e.grant_id).join(DEFS, k.id == g.benefit_id))
                .where(and_(*conds), e.kind == "redeemed").group_by(k.kind))
    else:
        stmt = (select(k.kind, func.coalesce(func.sum(g.cost_fen), 0))
                .select_from(GRANTS.join(DEFS, k.id == g.benefit_id))
                .where(and_(*conds), g.status == "issued").group_by(k.kind))
    return {str(kind): int(v) for kind, v in session.execute(stmt)}


def fixed_costs(session: Session, strategy_ids: Sequence[int]) -> list[EffectFixedCost]:
    """Fixed costs entered for the strategies, oldest first."""
    return list(session.scalars(select(EffectFixedCost).where(EffectFixedCost.strategy_id.in_(list(strategy_ids)))
                                .order_by(EffectFixedCost.id)))


def control_settings(session: Session) -> tuple[float, str] | None:
    """The global control group's percentage and salt (None before the contact policy was set up)."""
    row = session.execute(select(POLICY.c.control_percent, POLICY.c.control_salt).limit(1)).first()
    return None if row is None else (float(row[0] or 0), str(row[1] or ""))


# How far before a day the last AUM snapshot may lie and still count as that day's AUM (weekly feeds, holidays).
AUM_LOOKBACK_DAYS = 31


def last_snapshot(dates: np.ndarray, days: np.ndarray, lookback_days: int) -> np.ndarray:
    """Per day, the latest of the sorted snapshot `dates` on or before it within the lookback (NaT: none)."""
    if dates.size == 0:
        return np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    i = np.searchsorted(dates, days, side="right") - 1
    s = dates[np.maximum(i, 0)]
    return np.where((i >= 0) & (s > days - np.timedelta64(lookback_days, "D")), s, np.datetime64("NaT"))


def aum_changes(store: EventStore, *, customer_id: pa.StringArray, pre_day: np.ndarray, post_day: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's AUM on its pre day and post day (the last snapshot on or before it, within the lookback;
    NaN without one).

    Snapshots come as feeds (daily, weekly, month-end): the last feed date before a day is usually every
    customer's last snapshot, so one equi-join on (customer, that date) finds most values with no aggregation;
    entries whose customer missed that feed are looked up in full afterwards."""
    n = len(customer_id)
    if n == 0:
        return np.array([], dtype=float), np.array([], dtype=float)
    d0, d1 = pre_day.astype("datetime64[D]"), post_day.astype("datetime64[D]")
    lo = (d0.min() - np.timedelta64(AUM_LOOKBACK_DAYS, "D")).astype(object)
    with store.read() as cur:
        got = cur.sql("SELECT DISTINCT date FROM aum_daily WHERE date > ? AND date <= ? ORDER BY date",
                      params=[lo, d1.max().astype(object)]).fetchnumpy()["date"]
        dates = np.asarray(got).astype("datetime64[D]")
        s0, s1 = last_snapshot(dates, d0, AUM_LOOKBACK_DAYS), last_snapshot(dates, d1, AUM_LOOKBACK_DAYS)
        cur.register("aum_probe", pa.table({"k": np.arange(n, dtype=np.int64), "customer_id": customer_id,
                                            "s0": s0, "s1": s1}))  # NaT (no feed in the lookback): NULL
        try:
            hit = cur.sql("SELECT p.j, a.aum FROM (SELECT k AS j, customer_id, s0 AS s FROM aum_probe UNION ALL "
                          "SELECT k + ?, customer_id, s1 FROM aum_probe) AS p JOIN aum_daily AS a "
                          "ON a.customer_id = p.customer_id AND a.date = p.s", params=[n]).fetchnumpy()
        finally:
            cur.unregister("aum_probe")
        both = np.full(2 * n, np.nan)  # entry k's pre-day AUM at k, its post-day AUM at n + k
        both[hit["j"]] = hit["aum"]
        x, y = both[:n], both[n:]
        # A feed date the customer has no row for: their last snapshot may be older (or absent).
        missed = np.flatnonzero((~np.isnat(s0) & np.isnan(x)) | (~np.isnat(s1) & np.isnan(y)))
        if missed.size:
            mx, my = _aum_by_aggregation(cur, customer_id.take(pa.array(missed)), d0[missed], d1[missed])
            x[missed], y[missed] = mx, my
    return x, y


def _aum_by_aggregation(cur: Any, customer_id: pa.StringArray, d0: np.ndarray, d1: np.ndarray,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """The last snapshot within the lookback of each entry's days, by a hash join and an aggregation."""
    n = len(customer_id)
    entries_tbl = pa.table({"k": np.arange(n, dtype=np.int64), "customer_id": customer_id, "d0": d0, "d1": d1})
    lo = (d0.min() - np.timedelta64(AUM_LOOKBACK_DAYS, "D")).astype(object)
    sql = ("SELECT e.k, "
           "ARG_MAX(a.aum, a.date) FILTER (WHERE a.date <= e.d0 AND a.date > e.d0 - CAST(? AS INTEGER)) AS x, "
           "ARG_MAX(a.aum, a.date) FILTER (WHERE a.date > e.d1 - CAST(? AS INTEGER)) AS y "
           "FROM aum_entries AS e JOIN aum_daily AS a ON a.customer_id = e.customer_id "
           "WHERE a.date >= ? AND a.date <= ? AND a.date <= e.d1 GROUP BY e.k")
    cur.register("aum_entries", entries_tbl)
    try:
        got = cur.sql(sql, params=[AUM_LOOKBACK_DAYS, AUM_LOOKBACK_DAYS, lo, d1.max().astype(object)]
                      ).to_arrow_table()
    finally:
        cur.unregister("aum_entries")
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    k = got.column("k").to_numpy()
    x[k] = got.column("x").to_numpy(zero_copy_only=False)  # NULL: NaN
    y[k] = got.column("y").to_numpy(zero_copy_only=False)
    return x, y
