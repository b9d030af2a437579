import { applyNodeChanges } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import type { DraftGraph, Problem } from '../api/strategy';
import {
  addNode,
  connect,
  connectionProblem,
  freePosition,
  labelOfHandle,
  nextPosition,
  sourceHandles,
  fromFlow,
  nodeHeight,
  outLabels,
  problemsByNode,
  removeNode,
  targetsOf,
  toFlow,
  updateNode,
  NODE_KINDS,
  GROUPS,
} from './graph';

const journey: DraftGraph = {
  nodes: [
    { id: 'start', type: 'event_entry', event: 'login', filters: [], position: { x: 40, y: 40 } },
    {
      id: 'rich',
      type: 'condition_split',
      branches: [{ label: 'b1', condition: { type: 'attribute', field: 'aum', op: 'gte', value: 50000 } }],
      position: { x: 280, y: 40 },
    },
    { id: 'end', type: 'exit', position: { x: 520, y: 40 } },
  ],
  edges: [
    { source: 'start', target: 'rich', label: 'next' },
    { source: 'rich', target: 'end', label: 'else' },
  ],
  settings: { business_line: 'wealth', priority: 50, holdout_percent: 10 },
};

describe('graph <-> canvas lists', () => {
  it('round-trips a stored graph unchanged', () => {
    const { nodes, edges } = toFlow(journey);
    expect(nodes.map((n) => [n.id, n.position])).toEqual([
      ['start', { x: 40, y: 40 }],
      ['rich', { x: 280, y: 40 }],
      ['end', { x: 520, y: 40 }],
    ]);
    expect(edges[1]).toEqual({ id: 'rich:else->end', source: 'rich', target: 'end', sourceHandle: 'else', label: 'else' });
    expect(nodes[0].data.node).not.toHaveProperty('position');
    expect(fromFlow(nodes, edges, journey.settings)).toEqual(journey);
  });

  it('lays out nodes that have no position on free grid cells and rounds dragged positions', () => {
    const { nodes } = toFlow({ nodes: [{ id: 'a', type: 'api_entry' }, { id: 'b', type: 'exit' }], edges: [], settings: {} });
    expect(nodes[0].position).not.toEqual(nodes[1].position);
    nodes[1].position = { x: 100.4, y: 200.6 };
    expect(fromFlow(nodes, [], {}).nodes[1].position).toEqual({ x: 100, y: 201 });
    expect(toFlow({ nodes: [], edges: [{ source: 'a', target: 'b', label: '' }], settings: {} }).edges[0].sourceHandle).toBe('next');
  });
});

describe('edits', () => {
  it('adds every palette kind with a fresh id at a free position', () => {
    let nodes = toFlow(journey).nodes;
    for (const kind of NODE_KINDS) nodes = addNode(nodes, kind.type);
    expect(nodes).toHaveLength(3 + NODE_KINDS.length);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    const second = addNode(nodes, 'send');
    expect(second.at(-1)?.id).toBe('send_2');
    // No two nodes overlap.
    for (const a of second)
      for (const b of second)
        if (a !== b) {
          const apart =
            Math.abs(a.position.x - b.position.x) >= 200 ||
            a.position.y + nodeHeight(a.data.node) <= b.position.y ||
            b.position.y + nodeHeight(b.data.node) <= a.position.y;
          expect(apart, `${a.id} / ${b.id}`).toBe(true);
        }
    expect(new Set(NODE_KINDS.map((k) => k.group))).toEqual(new Set(GROUPS));
    expect(addNode([], 'teleport')).toEqual([]);
    expect(freePosition([])).toEqual({ x: 40, y: 40 });
  });

  it('keeps one edge per outcome, and drops edges of outcomes a node loses', () => {
    const { nodes, edges } = toFlow(journey);
    const moved = connect(edges, 'rich', 'else', 'start');
    expect(targetsOf(moved, 'rich')).toEqual({ else: 'start' });
    expect(connect(moved, 'rich', 'else', null).filter((e) => e.source === 'rich')).toEqual([]);
    expect(connect(edges, 'end', 'next', 'end')).toHaveLength(edges.length); // no self loops
    const withB1 = connect(edges, 'rich', 'b1', 'end');
    const node = { ...nodes[1].data.node, branches: [] };
    const after = updateNode(nodes, withB1, node);
    expect(after.edges.map((e) => e.id)).toEqual(['start:next->rich', 'rich:else->end']);
    expect(removeNode(nodes, edges, 'rich').edges).toEqual([]);
  });

  it('names the handles of every node kind', () => {
    expect(outLabels({ id: 'x', type: 'wait_event' })).toEqual(['did', 'timeout']);
    expect(outLabels({ id: 'x', type: 'ab_split', variants: [{ label: 'A' }, { label: 'B' }] })).toEqual(['A', 'B']);
    expect(outLabels(journey.nodes[1])).toEqual(['b1', 'else']);
    expect(outLabels({ id: 'x', type: 'goal' })).toEqual([]);
    expect(outLabels({ id: 'x', type: 'result_split' })).toContain('clicked');
    expect(outLabels({ id: 'x', type: 'propensity' })).toEqual(['high', 'else']);
    expect(outLabels({ id: 'x', type: 'send' })).toEqual(['next']);
  });

  it('groups problems by node', () => {
    const p = (node_id: string | null): Problem => ({ node_id, field: 'x', code: 'strategy.unreachable', params: {}, severity: 'error' });
    const by = problemsByNode([p('a'), p(null), p('a')]);
    expect(by.get('a')).toHaveLength(2);
    expect(by.get('')).toHaveLength(1);
  });
});

describe('React Flow handles and connections', () => {
  it('draws one source handle per outcome label, the handle id being the label the stored edge carries', () => {
    for (const kind of NODE_KINDS) {
      const node = { id: 'x', type: kind.type, ...kind.defaults() };
      expect(sourceHandles(node), kind.type).toEqual(outLabels(node));
      expect(new Set(sourceHandles(node)).size, kind.type).toBe(sourceHandles(node).length);
    }
    expect(sourceHandles(journey.nodes[1])).toEqual(['b1', 'else']);
    expect(sourceHandles({ id: 'x', type: 'ab_split', variants: [{ label: 'A' }, { label: 'B' }, { label: 'C' }] })).toEqual(['A', 'B', 'C']);
    expect(labelOfHandle('else')).toBe('else');
    expect(labelOfHandle(null)).toBe('next');
    expect(labelOfHandle(undefined)).toBe('next');
    // A connection made on a handle becomes a stored edge with that handle's label.
    const { nodes, edges } = toFlow(journey);
    const wired = connect(edges, 'rich', 'b1', 'end');
    const stored = fromFlow(nodes, wired, journey.settings).edges;
    expect(stored).toContainEqual({ source: 'rich', target: 'end', label: 'b1' });
    expect(toFlow({ ...journey, edges: stored }).edges.find((e) => e.label === 'b1')?.sourceHandle).toBe('b1');
  });

  it('refuses a second edge from one handle, edges into an entry node, self loops and unknown handles', () => {
    const { nodes, edges } = toFlow(journey);
    expect(connectionProblem(nodes, edges, { source: 'rich', sourceHandle: 'b1', target: 'end' })).toBeNull();
    expect(connectionProblem(nodes, edges, { source: 'rich', sourceHandle: 'else', target: 'end' })).toBe('taken');
    expect(connectionProblem(nodes, edges, { source: 'start', sourceHandle: 'next', target: 'end' })).toBe('taken');
    expect(connectionProblem(nodes, edges, { source: 'rich', sourceHandle: 'b1', target: 'start' })).toBe('entry');
    expect(connectionProblem(nodes, edges, { source: 'rich', sourceHandle: 'b1', target: 'rich' })).toBe('self');
    expect(connectionProblem(nodes, edges, { source: 'rich', sourceHandle: 'b7', target: 'end' })).toBe('handle');
    expect(connectionProblem(nodes, edges, { source: 'end', sourceHandle: null, target: 'rich' })).toBe('handle');
    expect(connectionProblem(nodes, edges, { source: 'ghost', sourceHandle: 'next', target: 'end' })).toBe('missing');
    // Once the first edge is removed, the handle may be connected again.
    expect(connectionProblem(nodes, connect(edges, 'rich', 'else', null), { source: 'rich', sourceHandle: 'else', target: 'end' })).toBeNull();
  });

  it('keeps positions through React Flow moves and size measurements, both ways', () => {
    const { nodes, edges } = toFlow(journey);
    const moved = applyNodeChanges(
      [
        { type: 'position', id: 'rich', position: { x: 300.4, y: 99.6 }, dragging: false },
        { type: 'dimensions', id: 'end', dimensions: { width: 200, height: 88 } },
      ],
      nodes,
    );
    const stored = fromFlow(moved, edges, journey.settings);
    expect(stored.nodes.map((n) => [n.id, n.position])).toEqual([
      ['start', { x: 40, y: 40 }],
      ['rich', { x: 300, y: 100 }],
      ['end', { x: 520, y: 40 }],
    ]);
    // React Flow's own fields (sizes, selection) never reach the stored graph.
    expect(Object.keys(stored.nodes[2]).sort()).toEqual(['id', 'position', 'type']);
    expect(toFlow(stored).nodes.map((n) => n.position)).toEqual(stored.nodes.map((n) => n.position));
  });

  it('places a clicked node inside the part of the canvas on screen', () => {
    const { nodes } = toFlow(journey);
    const area = { x: 1000, y: 500, width: 700, height: 500 };
    const p = freePosition(nodes, area);
    expect(p).toEqual({ x: 1040, y: 540 });
    let more = nodes;
    for (let i = 0; i < 6; i += 1) more = addNode(more, 'delay', freePosition(more, area));
    // Two columns fit in 700 px; the third node starts a new row.
    expect(more.slice(3).map((n) => n.position)).toEqual([
      { x: 1040, y: 540 }, { x: 1280, y: 540 },
      { x: 1040, y: 710 }, { x: 1280, y: 710 },
      { x: 1040, y: 880 }, { x: 1280, y: 880 },
    ]);
  });
});

describe('placing clicked nodes', () => {
  it('continues the journey right of the picked node, wrapping to a free cell when that is off screen or taken', () => {
    const { nodes } = toFlow(journey);
    const area = { x: 0, y: 0, width: 670, height: 600 };
    const start = nodes[0];
    // Right of `start` is taken by `rich`: the first free cell on screen instead.
    expect(nextPosition(nodes, area, start)).toEqual({ x: 40, y: 210 });
    const alone = [start];
    expect(nextPosition(alone, area, start)).toEqual({ x: 280, y: 40 });
    // Right of a node in the second column would leave the screen.
    const two = addNode(alone, 'delay', { x: 280, y: 40 });
    expect(nextPosition(two, area, two[1])).toEqual({ x: 40, y: 210 });
    // Nothing picked: the first free cell.
    expect(nextPosition(two, area)).toEqual({ x: 40, y: 210 });
  });
});
