import { describe, expect, it } from 'vitest';
import type { Condition } from '../../api/insight';
import { appendAt, countLeaves, isComplete, newCondition, removeAt, toggleNot, updateAt, valueForOp } from './tree';

const behaviour: Condition = {
  type: 'behaviour', source: 'events', event: 'product_view', filters: [], did: true, measure: 'count',
  op: 'gte', value: 3, window: { last_days: 30 },
};
const age: Condition = { type: 'attribute', field: 'age', op: 'between', value: [25, 40] };

describe('condition tree edits', () => {
  it('appends, updates and removes by path without touching the original', () => {
    const root: Condition = { type: 'group', op: 'and', conditions: [] };
    const one = appendAt(root, [], behaviour);
    const two = appendAt(one, [], { type: 'group', op: 'or', conditions: [age] });
    expect(root).toEqual({ type: 'group', op: 'and', conditions: [] });
    expect(countLeaves(two)).toBe(2);
    const flipped = updateAt(two, [1], (g) => (g.type === 'group' ? { ...g, op: 'and' } : g));
    expect(flipped.type === 'group' && flipped.conditions[1].type === 'group' && flipped.conditions[1].op).toBe('and');
    expect(removeAt(two, [1, 0])).toEqual(appendAt(one, [], { type: 'group', op: 'or', conditions: [] }));
  });

  it('wraps and unwraps NOT; removing the inside of a NOT removes the NOT', () => {
    const root: Condition = { type: 'group', op: 'and', conditions: [toggleNot(age)] };
    expect(root.type === 'group' && root.conditions[0].type).toBe('not');
    expect(toggleNot(toggleNot(age))).toEqual(age);
    expect(removeAt(root, [0, 'not'])).toEqual({ type: 'group', op: 'and', conditions: [] });
  });
});

describe('isComplete', () => {
  it('needs every value before an estimate is asked for', () => {
    expect(isComplete({ type: 'group', op: 'and', conditions: [] })).toBe(false);
    expect(isComplete({ type: 'group', op: 'and', conditions: [behaviour, age] })).toBe(true);
    expect(isComplete({ ...behaviour, event: null })).toBe(false);
    expect(isComplete({ type: 'attribute', field: 'age', op: 'between', value: [25] })).toBe(false);
    expect(isComplete({ type: 'attribute', field: 'phone', op: 'is_null', value: null })).toBe(true);
    expect(isComplete(newCondition('segment'))).toBe(false);
    expect(isComplete(newCondition('sequence'))).toBe(false);
  });
});

describe('valueForOp', () => {
  it('reshapes the value to what the operator takes', () => {
    expect(valueForOp(undefined, 'in', 'C3')).toEqual(['C3']);
    expect(valueForOp(undefined, 'eq', ['C3', 'C4'])).toBe('C3');
    expect(valueForOp(undefined, 'is_null', 5)).toBeNull();
    expect(valueForOp(undefined, 'between', 5)).toEqual([]);
  });
});
