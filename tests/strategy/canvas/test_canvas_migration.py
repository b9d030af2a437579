"""Migration 0016: the strategy tables come and go cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from mofang.platform.storage.metadata import MIGRATIONS_DIR, make_engine, migrate


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_strategy_tables_upgrade_and_downgrade(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("_fresh_pg_database") if backend == "postgres" else f"sqlite:///{tmp_path}/m.db"
    engine = make_engine(url)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"strategies", "strategy_versions"} <= tables
    assert {c["name"] for c in inspect(engine).get_columns("strategy_versions")} >= {
        "strategy_id", "version", "graph", "created_by", "created_at", "published_at", "note"}
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0016_strategies-1")
    assert not {"strategies", "strategy_versions"} & set(inspect(engine).get_table_names())
    migrate(engine)
    assert {"strategies", "strategy_versions"} <= set(inspect(engine).get_table_names())
    engine.dispose()
