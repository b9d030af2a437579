"""Customer queries on the event store; every one is narrowed by the caller's data scope."""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp

from mofang.platform.governance.logic import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, and_, col, compile_query

SUMMARY_COLUMNS = (
    "customer_id", "name", "gender", "birth_date", "phone_masked", "phone_last4", "tier", "risk_level",
    "org_code", "rm_id", "aum",
)
PROFILE_COLUMNS = (
    *SUMMARY_COLUMNS, "id_masked", "email_masked", "province", "city", "occupation", "income_band",
    "open_date", "acquisition_channel", "consent_sms", "consent_push", "consent_inbox", "consent_wechat",
    "consent_email", "consent_call",
)
PII_COLUMNS = ("phone_enc", "id_enc", "email_enc")


def _rows(store: EventStore, query: exp.Expression, params: Params) -> list[dict[str, Any]]:
    sql, values = compile_query(query, params)
    with store.read() as cur:
        res = cur.execute(sql, values)
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def _with_rm(columns: tuple[str, ...]) -> exp.Select:
    """Customer columns plus the RM's name."""
    return (
        sqlglot.select(*(col(c, "c") for c in columns), exp.alias_(col("name", "r"), "rm_name"))
        .from_(exp.alias_(exp.to_table("customers"), "c", table=True))
        .join(
            exp.alias_(exp.to_table("relationship_managers"), "r", table=True),
            on=exp.EQ(this=col("rm_id", "r"), expression=col("rm_id", "c")),
            join_type="left",
        )
    )


def search_condition(params: Params, q: str | None) -> exp.Expression | None:
    """Match a customer id, a name (or its beginning) or the last digits of a phone number."""
    if not q:
        return None
    q = q.strip()
    conds: list[exp.Expression] = [
        exp.EQ(this=col("customer_id", "c"), expression=params(q)),
        exp.func("starts_with", col("name", "c"), params(q)),
    ]
    if q.isdigit() and 4 <= len(q) <= 11:
        # Only the last four digits are stored in clear; longer suffixes are narrowed by the service.
        conds.append(exp.EQ(this=col("phone_last4", "c"), expression=params(q[-4:])))
    return exp.or_(*conds)


def search(
    store: EventStore, *, scope: Scope, q: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Customers in scope matching q, ordered by AUM (largest first), with the total."""
    params = Params()
    where = and_(scope.predicate(params, table="c"), search_condition(params, q))
    count = sqlglot.select(exp.Count(this=exp.Star())).from_(exp.alias_(exp.to_table("customers"), "c", table=True))
    if where is not None:
        count = count.where(where.copy())
    total = _rows(store, count, params)[0]
    page = _with_rm(SUMMARY_COLUMNS)
    if where is not None:
        page = page.where(where)
    page = page.order_by(exp.Ordered(this=col("aum", "c"), desc=True, nulls_first=False), col("customer_id", "c"))
    page = page.limit(params(limit)).offset(params(offset))
    return _rows(store, page, params), next(iter(total.values()))


def get(store: EventStore, *, scope: Scope, customer_id: str, with_pii: bool = False) -> dict[str, Any] | None:
    """One customer's profile row if it exists and is in scope."""
    params = Params()
    columns = PROFILE_COLUMNS + (PII_COLUMNS if with_pii else ())
    query = _with_rm(columns).where(
        and_(exp.EQ(this=col("customer_id", "c"), expression=params(customer_id)), scope.predicate(params, table="c"))
    )
    rows = _rows(store, query, params)
    return rows[0] if rows else None


def phone_candidates(store: EventStore, *, scope: Scope, last4: str, cap: int) -> list[dict[str, Any]]:
    """Customers in scope whose phone ends in these four digits, with the encrypted phone."""
    params = Params()
    query = _with_rm((*SUMMARY_COLUMNS, "phone_enc")).where(
        and_(exp.EQ(this=col("phone_last4", "c"), expression=params(last4)), scope.predicate(params, table="c"))
    ).order_by(exp.Ordered(this=col("aum", "c"), desc=True, nulls_first=False)).limit(params(cap))
    return _rows(store, query, params)


def holdings(store: EventStore, customer_id: str) -> list[dict[str, Any]]:
    """The customer's holdings with product details, largest first."""
    return store.query(
        """SELECT h.product_id, p.name AS product_name, p.product_type, p.risk_level, p.rate, h.balance,
                  p.is_liability, h.opened_at
           FROM holdings h JOIN products p USING (product_id)
           WHERE h.customer_id = $cid ORDER BY h.balance DESC""",
        {"cid": customer_id},
    )


def aum_trend(store: EventStore, customer_id: str, days: int) -> list[dict[str, Any]]:
    """Daily AUM over the last `days` days of data."""
    return store.query(
        """SELECT date, aum FROM aum_daily WHERE customer_id = $cid
           AND date > (SELECT max(date) FROM aum_daily WHERE customer_id = $cid) - $days::INTEGER
           ORDER BY date""",
        {"cid": customer_id, "days": days},
    )


def transactions(store: EventStore, customer_id: str, limit: int) -> list[dict[str, Any]]:
    """The customer's latest transactions."""
    return store.query(
        """SELECT ts, txn_type AS type, direction, amount, category, channel, description
           FROM transactions WHERE customer_id = $cid ORDER BY ts DESC LIMIT $lim""",
        {"cid": customer_id, "lim": limit},
    )


def events(store: EventStore, customer_id: str, limit: int) -> list[dict[str, Any]]:
    """The customer's events, newest first, including stitched anonymous ones."""
    return store.query(
        """SELECT event, type, ts AS timestamp, properties, message_id, channel,
                  json_extract_string(context, '$."$pii"') AS pii
           FROM events WHERE customer_id = $cid ORDER BY ts DESC, message_id LIMIT $lim""",
        {"cid": customer_id, "lim": limit},
    )
