"""Runs built analytics queries on the event store (the only place they are executed)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlglot import exp

from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, compile_query


def rows(store: EventStore, query: exp.Expression, params: Params) -> list[dict[str, Any]]:
    """Rows as dicts."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        res = cur.execute(sql, values)
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def arrays(store: EventStore, query: exp.Expression, params: Params) -> dict[str, np.ndarray]:
    """Columns as numpy arrays (for passes over millions of rows)."""
    sql, values = compile_query(query, params)
    with store.read() as cur:
        return cur.execute(sql, values).fetchnumpy()
