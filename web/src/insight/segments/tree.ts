/** Pure helpers of the segment condition tree: defaults, immutable edits by path, completeness. */
import type {
  Catalogue,
  Condition,
  ConditionKind,
  GroupCondition,
  Op,
  PropertyFilter,
  Value,
} from '../../api/insight';
import { LIST_OPS, NO_VALUE_OPS, valueComplete, valueForOp } from '../../common/conditionValues';

// The operator and value rules are shared with the analytics filters.
export { LIST_OPS, NO_VALUE_OPS, valueForOp };

/** Path of a node from the root: indexes into `conditions`, or 'not' to step into a NOT. */
export type Path = (number | 'not')[];

export const LEAF_KINDS = ['attribute', 'tag', 'behaviour', 'sequence', 'holding', 'segment', 'list'] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];

export function emptyGroup(op: 'and' | 'or' = 'and'): GroupCondition {
  return { type: 'group', op, conditions: [] };
}

/** A new condition of a kind, pre-filled from the catalogue where a sensible first choice exists. */
export function newCondition(kind: ConditionKind, catalogue?: Catalogue): Condition {
  switch (kind) {
    case 'attribute': {
      const f = catalogue?.attributes[0];
      return { type: 'attribute', field: f?.key ?? '', op: (f?.ops[0] as Op) ?? 'eq', value: null };
    }
    case 'tag': {
      const tg = catalogue?.tags[0];
      return { type: 'tag', tag: tg?.key ?? '', op: (tg?.ops[0] as Op) ?? 'eq', value: null };
    }
    case 'behaviour':
      return {
        type: 'behaviour',
        source: 'events',
        event: null,
        filters: [],
        did: true,
        measure: 'count',
        op: 'gte',
        value: 1,
        window: { last_days: 30 },
      };
    case 'sequence':
      return {
        type: 'sequence',
        steps: [
          { event: '', filters: [] },
          { event: '', filters: [] },
        ],
        within_hours: 24,
        did: true,
        window: { last_days: 30 },
      };
    case 'holding':
      return { type: 'holding', product_type: catalogue?.product_types[0] ?? null, product_id: null, holds: true };
    case 'segment':
      return { type: 'segment', segment_id: 0, member: true };
    case 'list':
      return { type: 'list', list_id: 0, member: true };
    case 'group':
      return emptyGroup();
    case 'not':
      return { type: 'not', condition: emptyGroup() };
  }
}

export function getAt(root: Condition, path: Path): Condition {
  let node = root;
  for (const step of path) {
    if (step === 'not') {
      if (node.type !== 'not') throw new Error('path does not lead through a NOT');
      node = node.condition;
    } else {
      if (node.type !== 'group') throw new Error('path does not lead through a group');
      node = node.conditions[step];
    }
  }
  return node;
}

/** A copy of `root` with the node at `path` replaced by `fn(node)`. */
export function updateAt(root: Condition, path: Path, fn: (node: Condition) => Condition): Condition {
  if (path.length === 0) return fn(root);
  const [step, ...rest] = path;
  if (step === 'not') {
    if (root.type !== 'not') throw new Error('path does not lead through a NOT');
    return { ...root, condition: updateAt(root.condition, rest, fn) };
  }
  if (root.type !== 'group') throw new Error('path does not lead through a group');
  return {
    ...root,
    conditions: root.conditions.map((c, i) => (i === step ? updateAt(c, rest, fn) : c)),
  };
}

/** Removes the node at `path` (a child of a group; removing a NOT's inner removes the NOT). */
export function removeAt(root: Condition, path: Path): Condition {
  if (path.length === 0) return root;
  let parentPath = path.slice(0, -1);
  let index = path[path.length - 1];
  // Removing what a NOT wraps removes the NOT itself.
  while (index === 'not' && parentPath.length > 0) {
    index = parentPath[parentPath.length - 1];
    parentPath = parentPath.slice(0, -1);
  }
  if (index === 'not') return root;
  return updateAt(root, parentPath, (parent) =>
    parent.type === 'group' ? { ...parent, conditions: parent.conditions.filter((_, i) => i !== index) } : parent,
  );
}

export function appendAt(root: Condition, groupPath: Path, child: Condition): Condition {
  return updateAt(root, groupPath, (g) => (g.type === 'group' ? { ...g, conditions: [...g.conditions, child] } : g));
}

/** Wraps a node in NOT, or unwraps it when it already is one. */
export function toggleNot(node: Condition): Condition {
  return node.type === 'not' ? node.condition : { type: 'not', condition: node };
}

function filtersComplete(filters: PropertyFilter[]): boolean {
  return filters.every((f) => f.property !== '' && valueComplete(f.op, f.value));
}

/** Whether the tree is ready to send: every field chosen and every value filled in. */
export function isComplete(node: Condition): boolean {
  switch (node.type) {
    case 'attribute':
      return node.field !== '' && valueComplete(node.op, node.value);
    case 'tag':
      return node.tag !== '' && valueComplete(node.op, node.value);
    case 'behaviour':
      return (
        (node.source === 'transactions' || !!node.event) &&
        (node.measure === 'count' || !!node.property) &&
        valueComplete(node.op, node.value as Value) &&
        !!node.window.last_days &&
        filtersComplete(node.filters)
      );
    case 'sequence':
      return node.steps.length >= 2 && node.steps.every((s) => s.event !== '' && filtersComplete(s.filters)) && node.within_hours > 0;
    case 'holding':
      return (
        (!!node.product_type || !!node.product_id) &&
        (node.op == null || valueComplete(node.op, (node.value ?? null) as Value))
      );
    case 'segment':
      return node.segment_id > 0;
    case 'list':
      return node.list_id > 0;
    case 'group':
      return node.conditions.length > 0 && node.conditions.every(isComplete);
    case 'not':
      return isComplete(node.condition);
  }
}

/** Counts leaf conditions (for "N conditions" summaries). */
export function countLeaves(node: Condition): number {
  if (node.type === 'group') return node.conditions.reduce((n, c) => n + countLeaves(c), 0);
  if (node.type === 'not') return countLeaves(node.condition);
  return 1;
}
