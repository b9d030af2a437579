"""Which versions an experiment counts, which branch a row belongs to, and the result table of given counts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportions_ztest

from mofang.strategy.canvas.contracts import Graph
from mofang.strategy.experiments.logic import Arm, branch_of, compare, experiment_versions, holdout_versions


def graph(percents: tuple[float, float] = (50, 50), winner: str | None = None, holdout: float = 0) -> Graph:
    variants = [{"label": "A", "percent": percents[0]}, {"label": "B", "percent": percents[1]}]
    split: dict[str, Any] = {"id": "ab", "type": "ab_split", "control": "A", "winner": winner, "variants": variants}
    return Graph.model_validate({"nodes": [{"id": "in", "type": "api_entry"}, split, {"id": "x", "type": "exit"}],
                                 "settings": {"holdout_percent": holdout}})


def test_versions_with_another_split_or_a_winner_are_other_experiments() -> None:
    graphs = {1: graph((50, 50)), 2: graph((50, 50), holdout=10), 3: graph((80, 20)), 4: graph((80, 20)),
              5: graph((80, 20), winner="B")}
    split, versions = experiment_versions(graphs, "ab")
    assert versions == [3, 4] and split is not None and [v.percent for v in split.variants] == [80, 20]
    assert experiment_versions({1: graph(winner="A")}, "ab") == (None, [])
    assert experiment_versions(graphs, "nope") == (None, [])
    assert holdout_versions(graphs) == (10, [2])
    assert holdout_versions({1: graph()}) == (0.0, [])


@pytest.mark.parametrize(("org", "root", "branch"), [
    ("GD-SZ-001", "HQ", "GD"), ("HQ", "HQ", "HQ"), (None, "HQ", None), ("GD-SZ-001", "GD", "GD-SZ"),
    ("GD", "GD", "GD"), ("GD-SZ-001", "GD-SZ-001", "GD-SZ-001"), ("ZJ-HZ", "GD", None), ("GDX-1", "GD", None),
])
def test_rows_group_one_level_below_the_viewer(org: str | None, root: str, branch: str | None) -> None:
    assert branch_of(org, root) == branch


@given(st.integers(1, 3000), st.integers(1, 3000), st.data())
def test_the_p_value_is_statsmodels_pooled_z_test(n_a: int, n_b: int, data: st.DataObject) -> None:
    x_a, x_b = data.draw(st.integers(0, n_a)), data.draw(st.integers(0, n_b))
    rows, srm = compare([Arm("A", 50, n_a, x_a), Arm("B", 50, n_b, x_b)], "A")
    control, treated = rows
    assert control.control and control.p_value is None and treated.entered == n_b
    if 0 < x_a + x_b < n_a + n_b:
        _, p = proportions_ztest([x_b, x_a], [n_b, n_a])
        assert treated.p_value == pytest.approx(p, rel=1e-6, abs=1e-300)
    else:
        assert treated.p_value is None and treated.test_code == "experiment.zero_variance"
    assert srm.expected == [pytest.approx((n_a + n_b) / 2)] * 2


def test_an_empty_experiment_says_so_rather_than_fail() -> None:
    rows, srm = compare([Arm("A", 50, 0, 0), Arm("B", 50, 0, 0)], "A")
    assert rows[1].sample_note == "experiment.empty_arm" and rows[1].mde is None and rows[1].p_value is None
    assert srm.code == "experiment.empty_arm" and srm.mismatch is False
