"""The funnel's sort-based pass per customer, vectorised with numpy (pure: arrays in, counts out).

Input: one row per event from the pre-filter query — customer code, time in whole seconds from the
range start, and a bitmask (bit k-1: matches step k; bit n+j: matches exclusion j). Rows are sorted
once by (customer, time, lowest step), and every step is then a few array operations over all
customers at once:

- ordered: on (row, step) pairs in (customer, time, step) order — ClickHouse's `windowFunnel` order —
  (`funnel_ties.expand`: a row matching several steps, as in `A → B → A → C`, is one pair per step;
  an exclusion is a pair ahead of the steps of its second). L_k = latest first-step time of an attempt
  that reaches step k at this pair. L_1 = t on step-1 pairs in the range; L_(k+1) on a step-(k+1) pair
  = running max of L_k over the customer's pairs before it (before its row's first pair: an attempt
  uses a row once), kept if >= t - window. Valid L_k only grow, so that max is a forward fill (one
  `maximum.accumulate` of pair indexes). Exclusions cut a customer's pairs into blocks for the steps
  they cover. Before that, runs of pairs with the same single step shrink to their first pair (and a
  first-step run also keeps its last): the others cannot change any count or time. Customers with a
  second holding a row of several steps and another row go through `funnel_ties.exact` instead.
- strict: L_(k+1) comes only from the immediately preceding row of the same customer.
- any_order: for each row, the next time each step occurs at or after it; depth = steps within window.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from mofang.monitor.analytics.funnel_ties import NONE, Pairs, exact, expand


@dataclass(frozen=True)
class FunnelSpec:
    """What the pass needs to know of the query."""

    steps: int
    window: int  # seconds
    span: int  # seconds from range start to range end: first steps must start before it
    mode: str = "ordered"
    exclusions: tuple[tuple[int, int], ...] = ()  # (from_step, to_step), 1-based, one per exclusion bit
    track_start: bool = False  # also find when each customer's deepest attempt started (group by first step)


@dataclass(frozen=True)
class Layout:
    """Bit widths of the packed sort key (customer | seconds | lowest step | mask), or None if it cannot fit."""

    t_bits: int
    mask_bits: int

    @property
    def code_bits(self) -> int:
        return 63 - self.t_bits - 4 - self.mask_bits

    @property
    def shifts(self) -> tuple[int, int, int]:
        """Left shifts of customer code, seconds and lowest step."""
        return self.t_bits + 4 + self.mask_bits, 4 + self.mask_bits, self.mask_bits


MIN_CODE_BITS = 27  # room for 134 million customers


def layout(spec: FunnelSpec) -> Layout | None:
    """The packed-key layout for a query, or None when a customer code would get too few bits."""
    lay = Layout(t_bits=(spec.span + spec.window + 1).bit_length(), mask_bits=spec.steps + len(spec.exclusions))
    return lay if lay.code_bits >= MIN_CODE_BITS else None


def run_keys(spec: FunnelSpec, key: np.ndarray, lay: Layout, *, parts: int = 1) -> PerCustomer:
    """`run` on packed keys made by the query (sorting one int64 array is the cheapest sort there is).

    With parts > 1 the customers are split by code range and the parts run in threads (numpy releases
    the GIL), which is what a second core is for.
    """
    key = key.astype(np.int64, copy=False)
    if parts <= 1 or len(key) < 1_000_000:
        return _run_part(spec, key, lay)
    a = lay.shifts[0]
    top = int(key.max()) >> a
    bounds = [(top + 1) * i // parts << a for i in range(1, parts)]
    slot = np.searchsorted(np.array(bounds, dtype=np.int64), key, side="right")
    chunks = [key[slot == i] for i in range(parts)]
    del slot
    with ThreadPoolExecutor(max_workers=parts) as pool:
        done = list(pool.map(lambda k: _run_part(spec, k, lay), chunks))
    return PerCustomer(codes=np.concatenate([d.codes for d in done]),
                       reached=np.concatenate([d.reached for d in done]),
                       depth=np.concatenate([d.depth for d in done]),
                       start=np.concatenate([d.start for d in done]) if spec.track_start else None)


def _run_part(spec: FunnelSpec, key: np.ndarray, lay: Layout) -> PerCustomer:
    """Sort a block of keys (whole customers) and make the pass over it."""
    key.sort()  # in place: the array is ours
    a, b, _ = lay.shifts
    return _run_sorted(spec, key >> a, (key >> b) & ((1 << lay.t_bits) - 1), key & ((1 << lay.mask_bits) - 1))


@dataclass(frozen=True)
class PerCustomer:
    """Per customer (sorted by code): its code, the first time it reached each step (or NONE), its depth.

    `start` (only with `FunnelSpec.track_start`): the time of the first-step event that starts the attempt
    by which the customer first reached their deepest step, or NONE (no such event: depth 0, or an
    any-order attempt without the first step).
    """

    codes: np.ndarray
    reached: np.ndarray  # shape (customers, steps), seconds or NONE
    depth: np.ndarray
    start: np.ndarray | None = None


def _sorted(code: np.ndarray, t: np.ndarray, mask: np.ndarray, steps: int) -> tuple[np.ndarray, ...]:
    """Rows ordered by customer, time, lowest matched step (0 for rows matching no step), then mask."""
    # Lowest matched step number, or 0: the tie-break ClickHouse uses.
    o = np.zeros(len(mask), dtype=np.int64)
    for k in reversed(range(steps)):
        o = np.where((mask >> k) & 1 == 1, k + 1, o)
    code, t, mask = code.astype(np.int64), t.astype(np.int64), mask.astype(np.int64)
    if len(code) == 0:
        return code, t, mask
    bits = [int(code.max()).bit_length(), int(t.max()).bit_length(), 4, int(mask.max()).bit_length()]
    if sum(bits) <= 63 and code.min() >= 0 and t.min() >= 0:
        key = (((code << bits[1]) | t) << 4 | o) << bits[3] | mask
        key.sort()
        m = (1 << bits[3]) - 1
        return key >> (bits[3] + 4 + bits[1]), (key >> (bits[3] + 4)) & ((1 << bits[1]) - 1), key & m
    order = np.lexsort((mask, o, t, code))
    return code[order], t[order], mask[order]


def _last_before(valid: np.ndarray, floor: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row, the index of the last earlier `valid` row at or after `floor` (its block start), else -1."""
    last = np.where(valid, rows, -1)
    np.maximum.accumulate(last, out=last)
    out = np.empty_like(last)
    out[0] = -1
    out[1:] = last[:-1]
    out[out < floor] = -1
    return out


def _block_start(cut: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row, the index of the first row of its block (blocks begin where `cut` is set)."""
    start = np.where(cut, rows, 0)
    return np.maximum.accumulate(start, out=start)


def _compress_runs(code: np.ndarray, t: np.ndarray, mask: np.ndarray, new: np.ndarray, solo: np.ndarray,
                   spec: FunnelSpec) -> np.ndarray:
    """Rows that matter in an ordered funnel without exclusions: in a run of rows matching the same single
    step, the first (it reaches that step if any of them does, earliest) and, for first-step runs, the
    last (the latest start dominates). First-step rows inside and outside the range never share a run."""
    key = mask | (((mask & 1) == 1) & (t < spec.span)).astype(np.int64) << 40
    same_prev = np.zeros(len(key), dtype=bool)
    same_prev[1:] = key[1:] == key[:-1]
    # Only pairs of rows matching exactly one step repeat harmlessly (a pair of a row matching several
    # steps looks before that row, so a later pair may reach what it cannot).
    same_prev &= ~new & solo
    same_prev[1:] &= solo[:-1]
    same_next = np.zeros(len(key), dtype=bool)
    same_next[:-1] = same_prev[1:]
    return ~same_prev | (((mask & 1) == 1) & ~same_next)


def _next_at_or_after(flag: np.ndarray, t: np.ndarray, segment: np.ndarray, width: int) -> np.ndarray:
    """For each row, the time of the first flagged row at or after it in its segment (width + 1 if none)."""
    vals = np.where(flag, t, width + 1)[::-1]
    rank = (segment.max(initial=0) - segment)[::-1]  # increasing along the reversed rows
    y = rank * (width + 3) - vals
    return (rank * (width + 3) - np.maximum.accumulate(y))[::-1]


def run(spec: FunnelSpec, code: np.ndarray, t: np.ndarray, mask: np.ndarray) -> PerCustomer:
    """Per customer, the first time each step was reached, by the semantics in the module doc."""
    return _run_sorted(spec, *_sorted(code, t, mask, spec.steps))


def _run_sorted(spec: FunnelSpec, code: np.ndarray, t: np.ndarray, mask: np.ndarray) -> PerCustomer:
    """`run` on rows already in (customer, time, lowest step, mask) order."""
    n = spec.steps
    if len(code) == 0:
        return PerCustomer(np.empty(0, np.int64), np.empty((0, n), np.int64), np.empty(0, np.int64),
                           np.empty(0, np.int64) if spec.track_start else None)
    if spec.mode == "ordered":
        return _ordered(spec, expand(code, t, mask, n))
    new = np.empty(len(code), dtype=bool)
    new[0] = True
    new[1:] = code[1:] != code[:-1]
    starts = np.flatnonzero(new)
    width = int(t.max()) + spec.window + 1
    flags = [(mask >> k) & 1 == 1 for k in range(n)]
    if spec.mode == "any_order":
        segment = np.cumsum(new) - 1
        nexts = [_next_at_or_after(f, t, segment, width) for f in flags]
        depth_row = sum((nx - t <= spec.window).astype(np.int64) for nx in nexts)
        start_ok = ((mask & ((1 << n) - 1)) > 0) & (t < spec.span)
        depth_row = np.where(start_ok, depth_row, 0)
        depth = np.maximum.reduceat(depth_row, starts)
        reached = np.where(depth[:, None] >= np.arange(1, n + 1)[None, :], 0, NONE)
        start = _any_order_start(depth_row, depth, nexts[0], t, new, starts, spec) if spec.track_start else None
        return PerCustomer(code[starts], reached.astype(np.int64), depth, start)
    # strict: L_(k+1) comes only from the immediately preceding row of the same customer.
    level = [np.where(flags[0] & (t < spec.span), t, NONE)]
    same = ~new
    for k in range(1, n):
        prev = np.empty(len(code), dtype=np.int64)
        prev[0] = NONE
        prev[1:] = level[k - 1][:-1]
        ok = flags[k] & same & (prev >= 0) & (prev >= t - spec.window)
        level.append(np.where(ok, prev, NONE))
    return _collect(spec, code, t, level, starts)


def _ordered(spec: FunnelSpec, p: Pairs) -> PerCustomer:
    """The ordered pass over pairs: tangled customers walk `exact`, the others the vectorised pass."""
    if not p.tangled.any():
        return _ordered_fast(spec, p)
    fast = _ordered_fast(spec, _subset(p, ~p.tangled))
    sel = p.tangled
    codes, reached, depth, start = exact(steps=spec.steps, window=spec.window, span=spec.span,
                                         exclusions=spec.exclusions, code=p.code[sel], t=p.t[sel],
                                         mask=p.mask[sel], row=p.row[sel])
    order = np.argsort(np.concatenate([fast.codes, codes]), kind="stable")
    return PerCustomer(np.concatenate([fast.codes, codes])[order], np.concatenate([fast.reached, reached])[order],
                       np.concatenate([fast.depth, depth])[order],
                       np.concatenate([fast.start, start])[order] if spec.track_start else None)


def _subset(p: Pairs, keep: np.ndarray) -> Pairs:
    """The pairs of some customers (whole customers, so anchors shift with their pairs)."""
    shift = np.cumsum(~keep)
    return Pairs(p.code[keep], p.t[keep], p.mask[keep], p.row[keep], (p.anchor - shift[p.anchor])[keep],
                 p.solo[keep], p.tangled[keep])


def _ordered_fast(spec: FunnelSpec, p: Pairs) -> PerCustomer:
    """The vectorised ordered pass over pairs of customers that are not tangled."""
    n = spec.steps
    if len(p.code) == 0:
        return PerCustomer(np.empty(0, np.int64), np.empty((0, n), np.int64), np.empty(0, np.int64),
                           np.empty(0, np.int64) if spec.track_start else None)
    code, t, mask, anchor = p.code, p.t, p.mask, p.anchor
    split = not np.array_equal(anchor, np.arange(len(anchor)))  # some row matches several steps
    new = np.empty(len(code), dtype=bool)
    new[0] = True
    new[1:] = code[1:] != code[:-1]
    if not spec.exclusions:
        keep = _compress_runs(code, t, mask, new, p.solo, spec)
        if not keep.all():
            index = np.cumsum(keep) - 1
            code, t, mask, new, anchor = code[keep], t[keep], mask[keep], new[keep], index[anchor[keep]]
    starts = np.flatnonzero(new)
    flags = [(mask >> k) & 1 == 1 for k in range(n)]
    level = [np.where(flags[0] & (t < spec.span), t, NONE)]
    # Valid L_k values only grow along a customer's pairs, so the running max of L_k over earlier
    # pairs is simply the last valid one: a forward fill, within blocks cut at customers (and at
    # exclusion events for the steps they cover). A pair looks before its row's first pair: a chain
    # uses a row once.
    rows = np.arange(len(code))
    starts_of = _block_start(new, rows)
    excl_rows = [(mask >> (n + j)) & 1 == 1 for j in range(len(spec.exclusions))]
    earliest = t - spec.window
    for k in range(1, n):
        covering = [excl_rows[j] for j, (lo, hi) in enumerate(spec.exclusions) if lo <= k < hi]
        floor = _block_start(new | np.logical_or.reduce(covering), rows) if covering else starts_of
        j = _last_before(level[k - 1] >= 0, floor, rows)
        if split:
            j = j[anchor]
        ok = flags[k] & (j >= 0)
        m = np.full(len(code), NONE, dtype=np.int64)
        m[ok] = level[k - 1][j[ok]]
        m[m < earliest] = NONE
        level.append(m)
    return _collect(spec, code, t, level, starts)


def _collect(spec: FunnelSpec, code: np.ndarray, t: np.ndarray, level: list[np.ndarray],
             starts: np.ndarray) -> PerCustomer:
    """Per customer from the per-row (or per-pair) L_k: first time each step was reached, depth, start."""
    big = np.iinfo(np.int64).max
    reached = np.stack([np.minimum.reduceat(np.where(lv >= 0, t, big), starts) for lv in level], axis=1)
    reached = np.where(reached == big, NONE, reached)
    depth = (reached >= 0).sum(axis=1)
    return PerCustomer(code[starts], reached, depth, _start(level, depth, starts) if spec.track_start else None)


def _start(level: list[np.ndarray], depth: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per customer, L_d at the first row reaching its depth d: the start of the attempt that got there first."""
    rows = np.arange(len(level[0]))
    big = np.iinfo(np.int64).max
    first = np.stack([np.minimum.reduceat(np.where(lv >= 0, rows, big), starts) for lv in level], axis=1)
    out = np.full(len(depth), NONE, dtype=np.int64)
    for k, lv in enumerate(level):  # per level, not one stacked array: rows × steps could be gigabytes
        at = depth == k + 1
        out[at] = lv[first[at, k]]
    return out


def _any_order_start(depth_row: np.ndarray, depth: np.ndarray, next_first: np.ndarray, t: np.ndarray,
                     new: np.ndarray, starts: np.ndarray, spec: FunnelSpec) -> np.ndarray:
    """Per customer, the first-step time inside the earliest window reaching its depth (NONE if it has none)."""
    rows = np.arange(len(t))
    segment = np.cumsum(new) - 1
    best = (depth_row == depth[segment]) & (depth_row > 0)
    big = np.iinfo(np.int64).max
    first = np.minimum.reduceat(np.where(best, rows, big), starts)
    out = np.full(len(depth), NONE, dtype=np.int64)
    has = first != big
    r = first[has]
    inside = next_first[r] - t[r] <= spec.window
    out[np.flatnonzero(has)[inside]] = next_first[r][inside]
    return out


def summarise(pc: PerCustomer, rows: np.ndarray | None = None) -> tuple[list[int], list[float | None]]:
    """Customers reaching each step and the median seconds from the previous step (over `rows`)."""
    reached = pc.reached if rows is None else pc.reached[rows]
    n = reached.shape[1]
    counts = [int((reached[:, k] >= 0).sum()) for k in range(n)]
    medians: list[float | None] = [None]
    for k in range(1, n):
        ok = reached[:, k] >= 0
        gaps = reached[ok, k] - reached[ok, k - 1]
        medians.append(float(np.median(gaps)) if len(gaps) else None)
    return counts, medians
