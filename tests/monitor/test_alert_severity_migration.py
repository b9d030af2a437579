"""Migration 0006: rules and alerts made before it keep working (severity "warning", outcome "fired"), on SQLite
always and on PostgreSQL when MOFANG_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from factories import postgres_url
from mofang.platform.storage.metadata import MIGRATIONS_DIR, make_engine, migrate


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty metadata database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'meta.db'}")
        yield eng
        eng.dispose()
        return
    admin_url = postgres_url()
    if admin_url is None:
        pytest.skip("PostgreSQL tests skipped: set MOFANG_TEST_POSTGRES_URL to run them")
    name = f"mofang_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgrade(engine: Engine, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def test_rules_and_alerts_from_before_severity_survive_the_upgrade(engine):
    _upgrade(engine, "0003_monitor")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO orgs (code, name, parent_code, level) VALUES ('HQ', '总行', NULL, 0)"))
        conn.execute(text("INSERT INTO monitor_metrics (key, name, definition, owner_org, created_at) VALUES "
                          "('m', 'M', '{}', 'HQ', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO monitor_alert_rules (metric_id, name, op, threshold, emails, enabled, "
                          "owner_org, created_at) SELECT id, 'old rule', 'gt', 1, '[]', TRUE, 'HQ', CURRENT_TIMESTAMP "
                          "FROM monitor_metrics"))
        conn.execute(text("INSERT INTO monitor_alerts (rule_id, day, value, previous, message, status, notifications, "
                          "created_at) SELECT id, :day, 4, 0, 'old', 'open', '{}', CURRENT_TIMESTAMP "
                          "FROM monitor_alert_rules"), {"day": date(2026, 3, 2)})
    migrate(engine)  # to every head, as the app does at start-up
    with engine.connect() as conn:
        rule = conn.execute(text("SELECT severity, params FROM monitor_alert_rules")).one()
        alert = conn.execute(text("SELECT severity, outcome, details FROM monitor_alerts")).one()
    assert tuple(rule) == ("warning", None)
    assert tuple(alert) == ("warning", "fired", None)
    # New rows get the defaults from the database too.
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO monitor_alert_rules (metric_id, name, op, threshold, emails, enabled, "
                          "owner_org, created_at, params, severity) SELECT id, 'anomaly', 'anomaly', 3, '[]', TRUE, "
                          "'HQ', CURRENT_TIMESTAMP, '{\"k\": 3}', 'critical' FROM monitor_metrics"))
        sev = conn.execute(text("SELECT severity FROM monitor_alert_rules WHERE op = 'anomaly'")).scalar_one()
    assert sev == "critical"


def test_rules_from_before_error_tracking_have_no_error_after_the_upgrade(engine):
    _upgrade(engine, "0006_alert_severity")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO orgs (code, name, parent_code, level) VALUES ('HQ', '总行', NULL, 0)"))
        conn.execute(text("INSERT INTO monitor_metrics (key, name, definition, owner_org, created_at) VALUES "
                          "('m', 'M', '{}', 'HQ', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO monitor_alert_rules (metric_id, name, op, threshold, emails, enabled, "
                          "owner_org, created_at) SELECT id, 'old rule', 'gt', 1, '[]', TRUE, 'HQ', CURRENT_TIMESTAMP "
                          "FROM monitor_metrics"))
    migrate(engine)
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT last_error, last_error_at FROM monitor_alert_rules")).one()) == (
            None, None)
