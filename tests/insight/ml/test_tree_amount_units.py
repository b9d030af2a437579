"""Decision-tree rules: amounts (AUM, transaction sums, holdings) say they are yuan; counts and ages do not."""

from __future__ import annotations

from mofang.insight.ml import tree as tr


def test_amount_splits_name_their_unit_and_counts_stay_bare():
    assert tr.step_text(("aum", None), 49_999.5, True) == "资产余额AUM > 50,000 元"
    assert tr.step_text(("txn:salary", None), 14_307.2, True).endswith("> 14,307 元")
    assert tr.step_text(("holding:基金", None), 800.0, False) == "持有基金余额 ≤ 800 元"
    assert tr.step_text(("event:login", None), 16.5, False) == "近30天登录次数 ≤ 16"
    assert tr.step_text(("age", None), 29.5, False) == "年龄 ≤ 29"
