"""Monitoring centre (运营监控中心): behaviour analytics, dashboards, metrics and alerts."""
