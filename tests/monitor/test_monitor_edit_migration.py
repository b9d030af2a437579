"""Migration 0011: metrics made before it stay enabled, and read marks of alerts can be kept (SQLite, PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text
from test_alert_severity_migration import _upgrade, engine  # noqa: F401  (the SQLite / PostgreSQL fixture)

from mofang.platform.storage.metadata import migrate


def test_metrics_from_before_stay_enabled_and_reads_can_be_kept(engine):  # noqa: F811
    _upgrade(engine, "0006_alert_severity")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO orgs (code, name, parent_code, level) VALUES ('HQ', '总行', NULL, 0)"))
        conn.execute(text("INSERT INTO monitor_metrics (key, name, definition, owner_org, created_at) VALUES "
                          "('m', 'M', '{}', 'HQ', CURRENT_TIMESTAMP)"))
    migrate(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT enabled FROM monitor_metrics")).scalar_one() in (True, 1)
        conn.execute(text("INSERT INTO monitor_alert_rules (metric_id, name, op, threshold, emails, enabled, "
                          "owner_org, created_at) SELECT id, 'r', 'gt', 1, '[]', TRUE, 'HQ', CURRENT_TIMESTAMP "
                          "FROM monitor_metrics"))
        conn.execute(text("INSERT INTO monitor_alerts (rule_id, day, value, previous, message, status, notifications,"
                          " created_at) SELECT id, '2026-03-02', 4, 0, 'x', 'open', '{}', CURRENT_TIMESTAMP "
                          "FROM monitor_alert_rules"))
        conn.execute(text("INSERT INTO monitor_alert_reads (alert_id, username, read_at) SELECT id, 'root', "
                          "CURRENT_TIMESTAMP FROM monitor_alerts"))
        assert conn.execute(text("SELECT count(*) FROM monitor_alert_reads")).scalar_one() == 1
