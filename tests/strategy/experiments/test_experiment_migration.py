"""Migration 0028: the promotions table comes and goes cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from mofang.platform.storage.metadata import MIGRATIONS_DIR, make_engine, migrate


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_promotions_table_upgrades_and_downgrades(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                                                  ) -> None:
    url = request.getfixturevalue("_fresh_pg_database") if backend == "postgres" else f"sqlite:///{tmp_path}/m.db"
    engine = make_engine(url)
    migrate(engine)
    assert {c["name"] for c in inspect(engine).get_columns("experiment_promotions")} == {
        "id", "strategy_id", "node_id", "variant", "version", "previous_version", "promoted_by", "promoted_at",
        "statistics"}
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0028_experiment_promotions-1")
    tables = set(inspect(engine).get_table_names())
    assert "experiment_promotions" not in tables and "strategies" in tables
    migrate(engine)
    assert "experiment_promotions" in set(inspect(engine).get_table_names())
    engine.dispose()
