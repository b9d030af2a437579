"""Runs built analytics queries on the event store (the only place they are executed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
from sqlglot import exp

from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, compile_query


def rows(store: EventStore, query: exp.Expression, params: Params,
         tables: Mapping[str, Mapping[str, np.ndarray]] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts; `tables` (name -> columns) are registered on the cursor for the query to join on."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        # Registered on this cursor only, so concurrent queries using the same name never see each other's.
        for name, columns in (tables or {}).items():
            cur.register(name, pa.table(dict(columns)))
        try:
            res = cur.execute(sql, values)
            names = [d[0] for d in res.description]
            return [dict(zip(names, r, strict=True)) for r in res.fetchall()]
        finally:
            for name in tables or {}:
                cur.unregister(name)


def arrays(store: EventStore, query: exp.Expression, params: Params) -> dict[str, np.ndarray]:
    """Columns as numpy arrays (for passes over millions of rows)."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        return cur.execute(sql, values).fetchnumpy()
