"""The effect page's columnar read: aggregated strings decode to the same entries as reading rows, on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from mofang.monitor.effects import columns
from mofang.monitor.effects import repository as repo
from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.metadata import MIGRATIONS_DIR, make_engine, migrate
from mofang.strategy.engine.repository.models import EngineInstance

OFFSET = 8 * 3600


def test_strings_decode_with_nulls_unicode_and_empty_values() -> None:
    values = ["c1", "", "客户甲", columns.NULL_MARK, "c5"]
    got = columns.strings(columns.SEP.join(values), len(values))
    assert got is not None and got.to_pylist() == ["c1", "", "客户甲", None, "c5"]
    assert columns.strings(None, 0) is not None and len(columns.strings(None, 0) or []) == 0
    assert columns.strings(None, 3) is None  # every value NULL cannot happen: the caller reads rows


def test_a_value_holding_the_separator_is_noticed() -> None:
    assert columns.strings(columns.SEP.join(["a", "b" + columns.SEP + "c"]), 2) is None
    assert columns.digits("0123", 3) is None
    assert columns.integers(columns.SEP.join(["1", "2"]), 3) is None


def test_digits_integers_and_group_counts() -> None:
    assert columns.digits("3102", 4).tolist() == [3, 1, 0, 2]  # type: ignore[union-attr]
    assert columns.integers(columns.SEP.join(["20514", "-3", "0"]), 3).tolist() == [20514, -3, 0]  # type: ignore
    keys = pa.array(["A", None, "A", "B", None], pa.string())
    mask = np.array([True, True, True, False, True])
    flag = np.array([True, False, False, True, True])
    assert columns.group_counts(keys, mask, flag) == {"A": (2, 1), None: (2, 1)}
    assert columns.group_counts(keys, np.zeros(5, dtype=bool), flag) == {}


def _instances(session: Session, ids: list[str]) -> None:
    t0 = datetime(2026, 3, 1, 15, 30)  # 23:30 in Shanghai: the local day is the UTC day
    for n, cid in enumerate(ids):
        session.add(EngineInstance(
            strategy_id=7, version=1, customer_id=cid, org_code=[None, "GD-GZ-001", "GD-SZ-001"][n % 3],
            rm_id="rm1" if n % 2 else None, entry_node="start", entry_key="once",
            entered_at=t0 + timedelta(hours=7 * n), node="end", status="done", seq=1, holdout=n % 4 == 0,
            converted_at=t0 if n % 3 == 1 else None, context={}, updated_at=t0))
    session.add(EngineInstance(strategy_id=8, version=1, customer_id="other", org_code="HQ", entry_node="start",
                               entry_key="once", entered_at=t0, node="end", status="done", seq=1, holdout=False,
                               context={}, updated_at=t0))
    session.commit()


def _as_rows(e: repo.Entries) -> list[tuple[object, ...]]:
    return sorted(zip(e.customer_id.to_pylist(), e.control.tolist(), e.converted.tolist(),
                      e.day.astype(str).tolist(), e.org_code.to_pylist(), strict=True))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("odd_id", ["c-客户", "bad" + columns.SEP + "id"])
def test_entries_match_the_row_read(backend: str, odd_id: str, tmp_path: Path, request: pytest.FixtureRequest,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    url = request.getfixturevalue("_fresh_pg_database") if backend == "postgres" else f"sqlite:///{tmp_path}/m.db"
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as s:
        _instances(s, [f"c{n}" for n in range(11)] + [odd_id])
        ctl = repo.control_expr(None, True)
        row_read = repo._entry_rows
        if columns.SEP not in odd_id:  # the aggregated read must not fall back to rows for ordinary ids

            def refuse(*a: object, **k: object) -> None:
                raise AssertionError("fell back to reading rows")
            monkeypatch.setattr(repo, "_entry_rows", refuse)
        for scope in (Scope(kind="all"), Scope(kind="org", org_code="GD-GZ-001"), Scope(kind="rm", rm_id="rm1")):
            kw = dict(strategy_ids=[7], scope=scope, since=None, until=None, control=ctl, offset_seconds=OFFSET)
            fast, slow = repo.entries(s, **kw), row_read(s, **kw)  # type: ignore[arg-type]
            assert _as_rows(fast) == _as_rows(slow)
            assert len(fast.customer_id) == {"all": 12, "org": 4, "rm": 6}[scope.kind]
        empty = repo.entries(s, strategy_ids=[99], scope=Scope(kind="all"), since=None, until=None, control=ctl,
                             offset_seconds=OFFSET)
        assert len(empty.customer_id) == 0 and empty.day.dtype == np.dtype("datetime64[D]")
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_funnel_index_upgrades_and_downgrades(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("_fresh_pg_database") if backend == "postgres" else f"sqlite:///{tmp_path}/m.db"
    engine = make_engine(url)
    migrate(engine)

    def indexes() -> set[str]:
        return {str(i["name"]) for i in inspect(engine).get_indexes("reach_deliveries")}
    assert "ix_reach_deliveries_funnel" in indexes()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0038_reach_funnel_index-1")
    assert "ix_reach_deliveries_funnel" not in indexes() and "ix_reach_deliveries_strategy_id" in indexes()
    migrate(engine)
    assert "ix_reach_deliveries_funnel" in indexes()
    engine.dispose()
