"""Queries of the data-quality view: counts over the event store's tables and the metadata's orgs and identities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mofang.integration.models import DataLoad
from mofang.integration.quality.contracts import SCOPED_BY_CUSTOMER, TableCheck
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params


def _where(scope: Scope, table: str) -> tuple[str, dict[str, Any]]:
    """' WHERE <scope predicate>' over rows whose org_code/rm_id columns are `table`'s, and its values."""
    params = Params()
    pred = scope.predicate(params, table=table)
    return ("", {}) if pred is None else (" WHERE " + pred.sql(dialect="duckdb"), params.values)


def _from(check: TableCheck, scope: Scope) -> tuple[str, dict[str, Any]]:
    """The table's rows the scope sees, as a FROM clause (alias t)."""
    if check.name == "customers":
        where, values = _where(scope, "t")
        return f"customers t{where}", values
    if check.name in SCOPED_BY_CUSTOMER:
        where, values = _where(scope, "c")
        return f"{check.table} t JOIN customers c ON c.customer_id = t.customer_id{where}", values
    if check.name == "staff":
        where, values = _where(scope, "t")
        return f"relationship_managers t{where}", values
    return f"{check.table} t", {}


def table_counts(store: EventStore, check: TableCheck, scope: Scope) -> tuple[int, list[int], date | None]:
    """(rows, nulls per key field, latest business date) of a table as the scope sees it."""
    source, values = _from(check, scope)
    nulls = [f"count(*) FILTER (WHERE t.{column} IS NULL)" for _, column in check.key_fields]
    latest = f"max({check.business_date})" if check.business_date else "NULL"
    with store.read() as cur:
        row = cur.execute(f"SELECT count(*), {', '.join(nulls)}, {latest} FROM {source}", values).fetchall()[0]
    return int(row[0]), [int(n) for n in row[1:-1]], _as_date(row[-1])


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def orphans(store: EventStore, scope: Scope, org_codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per table, rows naming a product, customer, org or RM that does not exist (as the scope sees them).

    Rows whose customer is missing have no branch: only a whole-bank viewer sees them counted.
    """
    cust_where, cust_values = _where(scope, "c")
    out: dict[str, dict[str, int]] = {}
    with store.read() as cur:
        cur.register("quality_orgs", pa.table({"code": pa.array(list(org_codes), pa.string())}))
        try:
            scoped_holdings = f"holdings h JOIN customers c ON c.customer_id = h.customer_id{cust_where}"
            out["holdings"] = {"product_missing": _count(cur, f"""
                SELECT count(*) FROM {scoped_holdings} {'AND' if cust_where else 'WHERE'}
                NOT EXISTS (SELECT 1 FROM products p WHERE p.product_id = h.product_id)""", cust_values)}
            out["customers"] = {
                "org_missing": _count(cur, f"""SELECT count(*) FROM customers c{cust_where}
                    {'AND' if cust_where else 'WHERE'} c.org_code NOT IN (SELECT code FROM quality_orgs)""",
                                      cust_values),
                "rm_missing": _count(cur, f"""SELECT count(*) FROM customers c{cust_where}
                    {'AND' if cust_where else 'WHERE'} c.rm_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM relationship_managers r WHERE r.rm_id = c.rm_id)""", cust_values),
            }
            for table in SCOPED_BY_CUSTOMER:
                missing = 0
                if scope.kind == "all":
                    missing = _count(cur, f"""SELECT count(*) FROM {table} t WHERE NOT EXISTS
                        (SELECT 1 FROM customers c WHERE c.customer_id = t.customer_id)""", {})
                out.setdefault(table, {})["customer_missing"] = missing
        finally:
            cur.unregister("quality_orgs")
    return out


def _count(cur: Any, sql: str, values: dict[str, Any]) -> int:
    return int(cur.execute(sql, values).fetchall()[0][0])


def last_loads(session: Session) -> dict[str, datetime]:
    """Per entity, when its latest successful load finished."""
    rows = session.execute(select(DataLoad.entity, func.max(DataLoad.finished_at))
                           .where(DataLoad.status == "ok").group_by(DataLoad.entity))
    return {entity: at for entity, at in rows if at is not None}

