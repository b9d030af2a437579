"""Migration 0033: the goals table comes and goes cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from mofang.platform.storage.metadata import MIGRATIONS_DIR, make_engine, migrate


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_goals_table_upgrades_and_downgrades(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("_fresh_pg_database") if backend == "postgres" else f"sqlite:///{tmp_path}/m.db"
    engine = make_engine(url)
    migrate(engine)
    assert {c["name"] for c in inspect(engine).get_columns("effect_goals")} == {
        "id", "strategy_ids", "first_strategy_id", "campaign_id", "metric", "target", "period_from", "period_to",
        "name", "org_code", "created_by", "created_at"}
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0033_effect_goals-1")
    tables = set(inspect(engine).get_table_names())
    assert "effect_goals" not in tables and "orgs" in tables  # down to its parent, 0001
    migrate(engine)
    assert "effect_goals" in set(inspect(engine).get_table_names())
    engine.dispose()
