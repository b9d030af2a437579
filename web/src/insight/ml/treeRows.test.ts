import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../api/ml';
import { num2, pct, treeRows } from './treeRows';

const node = (id: number, parent: number | null, left?: number, right?: number): TreeNode => ({
  id, parent, depth: 0, leaf: left === undefined, left: left ?? null, right: right ?? null, count: 1, positives: 0,
  rate: 0, lift: 0, holdout_count: 0, holdout_rate: 0, holdout_lift: 0, rule: '', segmentable: true,
});

describe('treeRows', () => {
  it('orders nodes depth first, left before right', () => {
    const nodes = [node(0, null, 1, 2), node(2, 0, 3, 4), node(1, 0), node(4, 2), node(3, 2)];
    expect(treeRows(nodes).map((n) => n.id)).toEqual([0, 1, 2, 3, 4]);
  });
  it('formats rates and lifts', () => {
    expect(pct(0.1234)).toBe('12.3%');
    expect(pct(null)).toBe('—');
    expect(num2(1.5)).toBe('1.50');
  });
});
