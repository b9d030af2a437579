"""The vectorised funnel pass equals a brute-force Python funnel on random small event sets."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.monitor.analytics.funnel_pass import FunnelSpec, layout, run, run_keys, summarise

STEPS = 3


def _rows_by_customer(code, t, mask, steps):
    out: dict[int, list[tuple[int, int, int]]] = {}
    for c, ti, m in zip(code, t, mask, strict=True):
        low = m & ((1 << steps) - 1)
        o = (low & -low).bit_length() if low else 0
        out.setdefault(c, []).append((ti, o, m))
    return {c: sorted(v) for c, v in out.items()}


def brute_depth(rows: list[tuple[int, int, int]], spec: FunnelSpec) -> int:
    """Deepest step over every first-step start and every choice of later step events."""
    n, best = spec.steps, 0
    if spec.mode == "any_order":
        for t0, _, m0 in rows:
            if m0 & ((1 << n) - 1) and t0 < spec.span:
                done = {k for tt, _, m in rows if t0 <= tt <= t0 + spec.window for k in range(n) if m >> k & 1}
                best = max(best, len(done))
        return best
    if spec.mode == "ordered":
        return brute_pairs(rows, spec)
    def deepest(pos: int, depth: int, t0: int) -> int:
        """Try every next-step row (strict: only the very next row may continue the attempt)."""
        found = depth
        for q in range(pos + 1, len(rows)):
            tq, _, mq = rows[q]
            if tq > t0 + spec.window or depth == n:
                break
            if mq >> depth & 1:
                found = max(found, deepest(q, depth + 1, t0))
            break
        return found

    for i, (t0, _, m0) in enumerate(rows):
        if m0 & 1 and t0 < spec.span:
            best = max(best, deepest(i, 1, t0))
    return best


def brute_pairs(rows: list[tuple[int, int, int]], spec: FunnelSpec) -> int:
    """Ordered: (row, step) pairs in (second, step) order, exclusions ahead of the steps of their second; an
    attempt takes pairs in that order, each row at most once, and an exclusion pair between two of its steps
    that covers the earlier one breaks it (ClickHouse `windowFunnel(…, 'strict_once')` plus exclusions)."""
    n = spec.steps
    pairs = sorted([(t, k + 1, r, 1 << k) for r, (t, _, m) in enumerate(rows) for k in range(n) if m >> k & 1]
                   + [(t, 0, r, m >> n) for r, (t, _, m) in enumerate(rows) if m >> n])

    def deepest(pos: int, depth: int, t0: int, used: frozenset[int]) -> int:
        found = depth
        for q in range(pos + 1, len(pairs)):
            tq, step, r, bits = pairs[q]
            if tq > t0 + spec.window or depth == n:
                break
            if step == 0:
                if any(lo <= depth < hi and bits >> j & 1 for j, (lo, hi) in enumerate(spec.exclusions)):
                    break
                continue
            if step == depth + 1 and r not in used:
                found = max(found, deepest(q, depth + 1, t0, used | {r}))
        return found

    return max([deepest(i, 1, t, frozenset((r,))) for i, (t, step, r, _) in enumerate(pairs)
                if step == 1 and t < spec.span], default=0)


events = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 60), st.integers(0, 2 ** (STEPS + 1) - 1)), max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(rows=events, window=st.integers(0, 30), mode=st.sampled_from(["ordered", "strict", "any_order"]),
       exclusion=st.booleans())
def test_pass_matches_brute_force(rows, window, mode, exclusion):
    excl = ((2, 3),) if exclusion and mode == "ordered" else ()
    if not excl:
        rows = [(c, t, m & ((1 << STEPS) - 1)) for c, t, m in rows]
    spec = FunnelSpec(steps=STEPS, window=window, span=45, mode=mode, exclusions=excl)
    code = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.int64)
    mask = np.array([r[2] for r in rows], dtype=np.int64)
    pc = run(spec, code, t, mask)
    counts, _ = summarise(pc)
    by_customer = _rows_by_customer(code.tolist(), t.tolist(), mask.tolist(), STEPS)
    depths = [brute_depth(v, spec) for v in by_customer.values()]
    expected = [sum(d >= k for d in depths) for k in range(1, STEPS + 1)]
    assert counts == expected
    assert all(a >= b for a, b in itertools.pairwise(counts))


def test_median_gap_between_first_reaches():
    spec = FunnelSpec(steps=2, window=100, span=1000)
    code = np.array([1, 1, 2, 2])
    t = np.array([0, 10, 5, 35])
    mask = np.array([1, 2, 1, 2])
    counts, medians = summarise(run(spec, code, t, mask))
    assert counts == [2, 2]
    assert medians == [None, 20.0]


def test_parallel_parts_give_the_same_answer():
    rng = np.random.default_rng(7)
    n = 1_200_000
    code, t, mask = rng.integers(0, 50_000, n), rng.integers(0, 900_000, n), 1 << rng.integers(0, 4, n)
    spec = FunnelSpec(steps=4, window=86_400, span=800_000)
    lay = layout(spec)
    a, b, c = lay.shifts
    low = np.zeros(n, dtype=np.int64)
    for k in reversed(range(4)):
        low = np.where((mask >> k) & 1 == 1, k + 1, low)
    key = (code << a) | (t << b) | (low << c) | mask
    one, two = run_keys(spec, key.copy(), lay), run_keys(spec, key.copy(), lay, parts=2)
    assert summarise(one) == summarise(two) == summarise(run(spec, code, t, mask))
    assert np.array_equal(one.codes, two.codes)
