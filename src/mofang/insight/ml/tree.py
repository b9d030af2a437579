"""Decision trees: training, the tree as nodes (counts, rate, lift), rules in plain Chinese, leaf → condition tree."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from mofang.insight.ml import features as F
from mofang.insight.ml.contracts import LeafQuality, TreeNode
from mofang.insight.segments.contracts import (
    AttributeCondition,
    BehaviourCondition,
    Condition,
    GroupCondition,
    HoldingCondition,
    Window,
)
from mofang.platform.errors import Invalid

Column = tuple[str, str | None]  # (feature key, category value for one-hot columns)
Step = tuple[int, bool]  # (column index, True for "> threshold" / "= value")


def train(x: np.ndarray, y: np.ndarray, *, max_depth: int, min_leaf: int) -> DecisionTreeClassifier:
    """Fit a depth- and leaf-size-limited tree (deterministic)."""
    model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf, random_state=0)
    return model.fit(x, y)


def auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC, or None when only one class is present."""
    if len(np.unique(y)) < 2:
        return None
    return round(float(roc_auc_score(y, score)), 4)


def node_counts(model: DecisionTreeClassifier, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customers and positives reaching each node (exact, from the decision paths)."""
    if len(y) == 0:
        n = model.tree_.node_count
        return np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    paths = model.decision_path(x)
    counts = np.asarray(paths.sum(axis=0)).ravel().astype(int)
    positives = np.asarray(paths.T @ y.astype(np.int64)).ravel().astype(int)
    return counts, positives


def _is_integer(key: str) -> bool:
    f = F.parse(key)
    return (f is not None and f.source == "event") or key in ("age", "tenure_days", "days_since_login")


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else (f"{x:.0f}" if float(x).is_integer() else f"{x:.2f}")


def step_text(col: Column, threshold: float, greater: bool) -> str:
    """One split in plain Chinese, e.g. 年龄 ≤ 29, 性别 = 女, 近30天登录次数 ≥ 3, 资产余额AUM > 50,000 元."""
    key, value = col
    f = F.parse(key)
    assert f is not None
    name = F.label(f)
    if value is not None:
        shown = F.GENDERS.get(value, value) if key == "gender" else value
        return f"{name} = {shown}" if greater else f"{name} ≠ {shown}"
    if key in ("aum_change_30d", "aum_change_7d"):
        return f"{name} > {threshold * 100:.1f}%" if greater else f"{name} ≤ {threshold * 100:.1f}%"
    if _is_integer(key):
        return f"{name} ≥ {math.floor(threshold) + 1}" if greater else f"{name} ≤ {math.floor(threshold)}"
    # Amounts carry their unit: a bank user reads "≤ 8,500" as a count unless told it is yuan.
    unit = " 元" if key == "aum" or f.source in ("txn", "holding") else ""
    return f"{name} > {_num(threshold)}{unit}" if greater else f"{name} ≤ {_num(threshold)}{unit}"


def nodes(model: DecisionTreeClassifier, columns: list[Column], *, train: tuple[np.ndarray, np.ndarray],
          holdout: tuple[np.ndarray, np.ndarray]) -> list[TreeNode]:
    """The tree as a node list, root first, with training and holdout counts, rates, lifts and rules."""
    t = model.tree_
    n, pos = node_counts(model, *train)
    hn, hpos = node_counts(model, *holdout)
    base = pos[0] / n[0] if n[0] else 0.0
    hbase = hpos[0] / hn[0] if hn[0] else 0.0
    out: dict[int, TreeNode] = {}
    steps: dict[int, list[tuple[int, float, bool]]] = {0: []}
    parents: dict[int, int | None] = {0: None}
    order = [0]
    for i in order:  # breadth-first: parents before children
        left, right = int(t.children_left[i]), int(t.children_right[i])
        leaf = left == -1
        path = steps[i]
        texts = [step_text(columns[c], th, g) for c, th, g in path]
        rate = pos[i] / n[i] if n[i] else 0.0
        hrate = hpos[i] / hn[i] if hn[i] else 0.0
        out[i] = TreeNode(
            id=i, parent=parents[i], depth=len(path), leaf=leaf,
            split=texts[-1] if texts else None,
            feature=None if leaf else columns[int(t.feature[i])][0],
            threshold=None if leaf else round(float(t.threshold[i]), 6),
            left=None if leaf else left, right=None if leaf else right,
            count=int(n[i]), positives=int(pos[i]), rate=round(rate, 4), lift=round(rate / base, 3) if base else 0.0,
            holdout_count=int(hn[i]), holdout_rate=round(hrate, 4),
            holdout_lift=round(hrate / hbase, 3) if hbase else 0.0,
            rule=rule_text(texts, rate=rate, lift=rate / base if base else 0.0, count=int(n[i])),
            segmentable=all(columns[c][0] not in F.NOT_SEGMENTABLE for c, _, _ in path),
        )
        if not leaf:
            col, th = int(t.feature[i]), float(t.threshold[i])
            for child, greater in ((left, False), (right, True)):
                steps[child] = [*path, (col, th, greater)]
                parents[child] = i
                order.append(child)
    return [out[i] for i in order]


def rule_text(texts: list[str], *, rate: float, lift: float, count: int) -> str:
    """A node's whole rule, e.g. 若 年龄 ≤ 29 且 近30天浏览产品次数 ≥ 3，则目标率 12.3%（提升 3.10 倍，1,234 人）."""
    cond = " 且 ".join(texts) if texts else "全部客户"
    return f"若 {cond}，则目标率 {rate * 100:.1f}%（提升 {lift:.2f} 倍，{count:,} 人）"


def best_leaves(items: list[TreeNode], k: int = 3) -> list[LeafQuality]:
    """The k leaves with the highest training rate, with their holdout rate and lift."""
    leaves = sorted((n for n in items if n.leaf), key=lambda n: (-n.rate, -n.count))[:k]
    return [LeafQuality(node_id=n.id, rule=n.rule, count=n.count, rate=n.rate, holdout_count=n.holdout_count,
                        holdout_rate=n.holdout_rate, holdout_lift=n.holdout_lift) for n in leaves]


def path_to(model: DecisionTreeClassifier, node_id: int) -> list[tuple[int, float, bool]]:
    """The splits from the root to a node: (column, threshold, went right)."""
    t = model.tree_
    if not 0 <= node_id < t.node_count:
        raise Invalid(f"node {node_id} is not in this tree", field="node_id")
    parent: dict[int, tuple[int, bool]] = {}
    for i in range(t.node_count):
        if t.children_left[i] != -1:
            parent[int(t.children_left[i])] = (i, False)
            parent[int(t.children_right[i])] = (i, True)
    out: list[tuple[int, float, bool]] = []
    cur = node_id
    while cur in parent:
        p, greater = parent[cur]
        out.append((int(t.feature[p]), float(t.threshold[p]), greater))
        cur = p
    return out[::-1]


# ---------------------------------------------------------------------------------------------- leaf → condition


def step_condition(col: Column, threshold: float, greater: bool) -> Condition:
    """One split as a segment condition that selects exactly the customers the split sends that way.

    Unknown values are MISSING (-1) in the matrix, so they always take the "≤" side: that side also
    admits customers whose attribute is null.
    """
    key, value = col
    f = F.parse(key)
    assert f is not None
    if key in F.NOT_SEGMENTABLE:
        raise Invalid(f"the rule uses '{F.label(f)}', which a segment condition cannot express", field="node_id")
    if value is not None:  # one-hot column: "> 0.5" means the attribute equals the value
        if greater:
            return AttributeCondition(type="attribute", field=key, op="eq", value=value)
        return GroupCondition(type="group", op="or", conditions=[
            AttributeCondition(type="attribute", field=key, op="neq", value=value),
            AttributeCondition(type="attribute", field=key, op="is_null")])
    if f.source == "event":
        return BehaviourCondition(type="behaviour", event=f.arg, op="gt" if greater else "lte", value=threshold,
                                  window=Window(last_days=f.days))
    if f.source == "txn":
        return BehaviourCondition(type="behaviour", source="transactions", event=f.arg, measure="sum",
                                  property="amount", op="gt" if greater else "lte", value=threshold,
                                  window=Window(last_days=30))
    if f.source == "holding":
        return HoldingCondition(type="holding", product_type=f.arg, holds=greater, op="gt", value=threshold)
    if key == "days_since_login":
        # days since ≥ k  ⇔  no login in the last k days (today included); never logged in counts as ≥ k.
        k = math.floor(threshold) + 1
        if not 1 <= k <= 3660:
            raise Invalid(f"the split on days since login ({threshold}) is out of range", field="node_id")
        return BehaviourCondition(type="behaviour", event="login", did=not greater, value=1.0,
                                  window=Window(last_days=k))
    if greater:
        return AttributeCondition(type="attribute", field=key, op="gt", value=threshold)
    return GroupCondition(type="group", op="or", conditions=[
        AttributeCondition(type="attribute", field=key, op="lte", value=threshold),
        AttributeCondition(type="attribute", field=key, op="is_null")])


def leaf_condition(columns: list[Column], path: list[tuple[int, float, bool]]) -> Condition:
    """The AND of a node's splits as a condition tree (the root: everyone with an AUM record)."""
    if not path:
        return AttributeCondition(type="attribute", field="aum", op="is_not_null")
    conds = [step_condition(columns[c], th, g) for c, th, g in path]
    return conds[0] if len(conds) == 1 else GroupCondition(type="group", op="and", conditions=conds)


def spec_of(columns: list[Column], categories: dict[str, list[str]]) -> dict[str, Any]:
    """What must be stored to rebuild the matrix and read the tree later."""
    return {"columns": [list(c) for c in columns], "categories": categories}
