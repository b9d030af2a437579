"""Migration 0010_auth: sessions and the outbound allow-list appear on upgrade and go away on downgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from mofang.platform.storage.metadata import MIGRATIONS_DIR, make_engine, migrate


def test_upgrade_and_downgrade_of_the_session_tables(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    migrate(engine)
    assert {"auth_sessions", "outbound_allow_hosts", "users"} <= set(inspect(engine).get_table_names())
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010_auth-1")
    tables = set(inspect(engine).get_table_names())
    assert "auth_sessions" not in tables and "outbound_allow_hosts" not in tables and "users" in tables
    migrate(engine)
    assert "auth_sessions" in inspect(engine).get_table_names()
    engine.dispose()
