"""Metric library and alerts (指标库与预警): metrics defined as data, rules checked daily, email and webhook."""
