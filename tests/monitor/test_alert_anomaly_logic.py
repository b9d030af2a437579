"""Anomaly vs a 7-day baseline: the pure decision, its invariances, and what the alert says."""

from __future__ import annotations

import statistics
from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from mofang.monitor.alerts import logic

STEADY = [100.0, 104.0, 98.0, 101.0, 99.0, 103.0, 100.0]  # mean 100.71, sample σ ≈ 2.14

values = st.integers(min_value=0, max_value=10_000).map(float)
baselines = st.lists(values, min_size=5, max_size=7)
ks = st.sampled_from([1.0, 2.0, 2.5, 3.0, 4.5, 10.0])
directions = st.sampled_from(["up", "down", "both"])


def _clear_of_the_edge(value: float, baseline: list[float], k: float) -> bool:
    """Away from |z| = k, where rounding (not the rule) would decide."""
    sigma = statistics.stdev(baseline)
    return sigma > 0 and abs(abs(value - statistics.fmean(baseline)) / sigma - k) > 1e-6


def test_a_jump_after_a_steady_week_fires_and_says_by_how_many_sigma():
    a = logic.anomaly(130.0, STEADY, k=3, direction="both", min_change_pct=10)
    assert a.outcome == "fired" and a.baseline_days == 7
    assert round(a.mean or 0, 2) == 100.71 and round(a.z or 0, 1) == 13.7
    text = logic.anomaly_message(rule="开户激增", metric="开户数", value=130.0, a=a, measured=date(2026, 3, 8))
    assert "较近7日均值 100.71 高出 13.7σ（+29.1%）" in text and "2026-03-08" in text
    drop = logic.anomaly(1234.0, [1500.0, 1520.0, 1480.0, 1510.0, 1490.0, 1505.0, 1495.0], k=3, direction="both",
                         min_change_pct=10)
    assert "较近7日均值 1,500 低于 " in logic.anomaly_message(rule="r", metric="m", value=1234.0, a=drop,
                                                          measured=date(2026, 3, 8))


def test_direction_and_k_decide():
    assert logic.anomaly(130.0, STEADY, k=3, direction="down", min_change_pct=10).outcome == "quiet"
    assert logic.anomaly(70.0, STEADY, k=3, direction="down", min_change_pct=10).outcome == "fired"
    assert logic.anomaly(70.0, STEADY, k=3, direction="up", min_change_pct=10).outcome == "quiet"
    # 106 is ~2.5σ above the mean: fires with k=2 (and a 5% floor), not with the default k=3
    assert logic.anomaly(106.0, STEADY, k=2, direction="both", min_change_pct=5).outcome == "fired"
    assert logic.anomaly(106.0, STEADY, k=3, direction="both", min_change_pct=5).outcome == "quiet"


def test_the_relative_floor_keeps_a_flat_baseline_from_firing_on_noise():
    flat = [100.0] * 7
    assert logic.anomaly(105.0, flat, k=3, direction="both", min_change_pct=10).outcome == "quiet"
    a = logic.anomaly(115.0, flat, k=3, direction="both", min_change_pct=10)
    assert a.outcome == "fired" and a.sigma == 0 and a.z is None
    text = logic.anomaly_message(rule="r", metric="m", value=115.0, a=a, measured=date(2026, 3, 8))
    assert "较近7日均值 100 高出 15.0%（近7日无波动）" in text
    # Many σ away but only 1% off: the floor holds it back.
    assert logic.anomaly(101.0, [100.0, 100.01] * 3 + [100.0], k=3, direction="both",
                         min_change_pct=10).outcome == "quiet"


def test_fewer_than_five_days_with_data_is_an_insufficient_baseline():
    a = logic.anomaly(500.0, [100.0, None, 101.0, None, 99.0, None, 100.0], k=3, direction="both", min_change_pct=10)
    assert a.outcome == "insufficient_baseline" and a.baseline_days == 4 and a.mean is None
    text = logic.anomaly_message(rule="r", metric="m", value=500.0, a=a, measured=date(2026, 3, 8))
    assert "仅 4 天有数据" in text and "基线不足" in text
    assert logic.anomaly(500.0, [100.0, None, 101.0, 102.0, 99.0, None, 100.0], k=3, direction="both",
                         min_change_pct=10).outcome == "fired"


def test_severity_leads_the_email_subject():
    assert logic.subject("critical", "[魔方预警] x").startswith("【严重】")
    assert logic.subject("info", "x") == "【提示】x"


@given(baselines, values, st.integers(min_value=-5_000, max_value=5_000).map(float), ks, directions)
def test_shifting_every_value_does_not_change_the_decision(baseline, value, shift, k, direction):
    # The relative floor depends on the level by design, so the shift invariance holds for the σ test alone.
    assume(_clear_of_the_edge(value, baseline, k))
    before = logic.anomaly(value, baseline, k=k, direction=direction, min_change_pct=0).outcome
    after = logic.anomaly(value + shift, [b + shift for b in baseline], k=k, direction=direction,
                          min_change_pct=0).outcome
    assert before == after


@given(baselines, values, st.sampled_from([0.001, 0.5, 3.0, 1000.0]), ks, directions,
       st.sampled_from([0.0, 10.0, 50.0]))
def test_scaling_every_value_does_not_change_the_decision(baseline, value, factor, k, direction, floor):
    assume(_clear_of_the_edge(value, baseline, k))
    mean = statistics.fmean(baseline)
    assume(mean == 0 or abs(abs(value - mean) * 100 / abs(mean) - floor) > 1e-6)
    before = logic.anomaly(value, baseline, k=k, direction=direction, min_change_pct=floor).outcome
    after = logic.anomaly(value * factor, [b * factor for b in baseline], k=k, direction=direction,
                          min_change_pct=floor).outcome
    assert before == after


@given(baselines, ks, directions, st.sampled_from([0.0, 10.0]))
def test_a_value_equal_to_the_mean_never_fires(baseline, k, direction, floor):
    a = logic.anomaly(statistics.fmean(baseline), baseline, k=k, direction=direction, min_change_pct=floor)
    assert a.outcome == "quiet"


@given(st.lists(st.one_of(st.none(), values), min_size=7, max_size=7), values)
def test_missing_days_below_five_never_fire(baseline, value):
    a = logic.anomaly(value, baseline, k=1, direction="both", min_change_pct=0)
    known = sum(v is not None for v in baseline)
    assert (a.outcome == "insufficient_baseline") == (known < 5) and a.baseline_days == known
