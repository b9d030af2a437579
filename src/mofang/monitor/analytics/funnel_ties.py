"""Ordered funnels on (row, step) pairs — ClickHouse's `windowFunnel(…, 'strict_once')` order (pure numpy/Python).

A row matching several steps (a funnel that repeats an event, `A → B → A → C`) stands for one pair per
step it matches; pairs are taken in (customer, second, step) order, and a chain may use each row at most once.
`expand` makes the pairs; most customers then go through the vectorised pass in `funnel_pass`. A customer
with a second holding a row that matches several steps *and* another row is "tangled": which rows a chain
may still use there depends on the whole chain, so `exact` walks such customers' pairs one by one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

NONE = -1


@dataclass(frozen=True)
class Pairs:
    """Pairs in (customer, second, step) order; `mask` has one step bit, or the exclusion bits (step 0 pairs)."""

    code: np.ndarray
    t: np.ndarray
    mask: np.ndarray
    row: np.ndarray  # the row each pair comes from
    anchor: np.ndarray  # the row's first pair if it matches several steps (chains before it), else the pair
    solo: np.ndarray  # the row matches exactly one step
    tangled: np.ndarray  # the pair's customer needs `exact`


def _block_start(cut: np.ndarray) -> np.ndarray:
    start = np.where(cut, np.arange(len(cut)), 0)
    return np.maximum.accumulate(start)


def expand(code: np.ndarray, t: np.ndarray, mask: np.ndarray, steps: int) -> Pairs:
    """Rows sorted by (customer, second) to pairs; rows matching one step and no exclusion stay one pair."""
    bits = mask & ((1 << steps) - 1)
    excl = mask >> steps
    count = sum(((bits >> k) & 1).astype(np.int64) for k in range(steps))
    rows = np.arange(len(code))
    split = (count >= 2) | ((count == 1) & (excl != 0))
    if not split.any():
        none = np.zeros(len(code), dtype=bool)
        return Pairs(code, t, mask, rows, rows, count == 1, none)
    # Row-major pairs (an exclusion pair first, then the row's steps in order) are already in (customer, second)
    # order; only seconds holding several rows need their pairs reordered by step, so a stable sort of
    # (second, step) on the almost sorted keys is cheap.
    has = np.column_stack([excl != 0, *[((bits >> k) & 1) == 1 for k in range(steps)]])
    prow, pstep = np.nonzero(has)
    second = np.ones(len(code), dtype=bool)
    second[1:] = (code[1:] != code[:-1]) | (t[1:] != t[:-1])
    group = _block_start(second)  # rows are in (customer, second) order: the group's first row orders the groups
    order = np.argsort(group[prow].astype(np.int64) * (steps + 1) + pstep, kind="stable")
    prow, pstep = prow[order], pstep[order]
    pmask = np.where(pstep == 0, excl[prow] << steps, np.left_shift(1, np.maximum(pstep - 1, 0)))
    first_of_row = np.ones(len(prow), dtype=bool)
    first_of_row[1:] = prow[1:] != prow[:-1]
    anchor = np.where(count[prow] >= 2, _block_start(first_of_row), np.arange(len(prow)))
    # Tangled: a second with several rows, one of which matches several steps.
    starts = np.flatnonzero(second)
    size = np.diff(np.append(starts, len(code)))
    multi = np.maximum.reduceat((count >= 2).astype(np.int64), starts) > 0
    bad_group = np.repeat((size > 1) & multi, size)
    new = np.ones(len(code), dtype=bool)
    new[1:] = code[1:] != code[:-1]
    cstarts = np.flatnonzero(new)
    bad_customer = np.repeat(np.maximum.reduceat(bad_group.astype(np.int64), cstarts) > 0,
                             np.diff(np.append(cstarts, len(code))))
    return Pairs(code[prow], t[prow], pmask, prow, anchor, count[prow] == 1, bad_customer[prow])


def exact(*, steps: int, window: int, span: int, exclusions: tuple[tuple[int, int], ...],
          code: np.ndarray, t: np.ndarray, mask: np.ndarray, row: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per customer (pairs in order): codes, first time each step was reached, depth, start of the deepest attempt.

    Chains ending in an earlier second only need their latest start (no later row can clash with them);
    chains ending in the current second keep the rows they used, which a pair of the same row may not join.
    """
    n = steps
    codes, reached_all, starts = [], [], []
    bounds = [*np.flatnonzero(np.r_[True, code[1:] != code[:-1]]).tolist(), len(code)]
    tl, ml, rl = t.tolist(), mask.tolist(), row.tolist()
    for a, b in itertools.pairwise(bounds):
        old = [NONE] * n
        cur: list[dict[frozenset[int], int]] = [{} for _ in range(n)]
        reached, first_l = [NONE] * n, [NONE] * n
        sec = None
        for i in range(a, b):
            ti, m, r = tl[i], ml[i], rl[i]
            if ti != sec:
                for k in range(n):
                    if cur[k]:
                        old[k] = max(old[k], max(cur[k].values()))
                        cur[k] = {}
                sec = ti
            if m >> n:
                for j, (lo, hi) in enumerate(exclusions):
                    if m >> (n + j) & 1:
                        for s in range(lo, hi):
                            old[s - 1], cur[s - 1] = NONE, {}
                continue
            k = m.bit_length() - 1
            new: dict[frozenset[int], int] = {}
            if k == 0:
                if ti < span:
                    new[frozenset((r,))] = ti
            else:
                if old[k - 1] != NONE and ti <= old[k - 1] + window:
                    new[frozenset((r,))] = old[k - 1]
                for used, f in cur[k - 1].items():
                    if r not in used and ti <= f + window:
                        key = used | {r}
                        new[key] = max(new.get(key, NONE), f)
            if not new:
                continue
            for key, f in new.items():
                cur[k][key] = max(cur[k].get(key, NONE), f)
            if reached[k] == NONE:
                reached[k], first_l[k] = ti, max(new.values())
        depth = sum(1 for x in reached if x != NONE)
        codes.append(code[a])
        reached_all.append(reached)
        starts.append(first_l[depth - 1] if depth else NONE)
    return (np.array(codes, dtype=np.int64), np.array(reached_all, dtype=np.int64).reshape(-1, n),
            np.array([sum(1 for x in r if x != NONE) for r in reached_all], dtype=np.int64),
            np.array(starts, dtype=np.int64))
