"""The cheap pre-filter of a file's checks lets through every cell the exact checks reject (a superset)."""

from __future__ import annotations

import duckdb
import pytest

from mofang.integration import logic
from mofang.integration.schemas import TRANSACTIONS

CELLS = [None, "", " ", "   ", "\t", " in", "in ", "in", "out", "IN", "x" * 64, "x" * 65, " " + "x" * 64, "交" * 40,
         "交" * 129, " " * 200, "a" * 128 + " ", "a" * 129]


@pytest.mark.parametrize("key", ["txn_id", "customer_id", "txn_type", "direction", "category", "description"])
def test_every_cell_the_checks_reject_passes_the_prefilter(key: str) -> None:
    db = duckdb.connect()
    db.execute(f'CREATE TABLE t ("{key}" VARCHAR)')
    db.executemany("INSERT INTO t VALUES (?)", [[c] for c in CELLS])
    checks = logic.check_sql(TRANSACTIONS.field(key), None)
    prefilter = logic.prefilter_sql(TRANSACTIONS, [key])
    assert prefilter is not None
    for cond, reason in checks:
        missed = db.execute(f"SELECT \"{key}\" FROM t WHERE ({cond}) AND NOT coalesce(({prefilter}), false)").fetchall()
        assert missed == [], (reason, missed)


def test_text_to_parse_has_no_prefilter() -> None:
    assert logic.prefilter_sql(TRANSACTIONS, ["txn_id", "amount"]) is None  # amount as text: parsed to check
    assert logic.prefilter_sql(TRANSACTIONS, ["txn_id", "amount"], native={"amount"}) is not None
