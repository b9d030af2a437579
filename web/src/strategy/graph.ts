/**
 * The canvas model in the console: node kinds and their palette groups, the labels each node may put on its
 * out-edges (one React Flow source handle per label, the handle id being the label), and the conversion between a
 * stored draft graph and React Flow's `{id, type, position, data}` nodes and `{id, source, target, sourceHandle}` edges.
 */
import type { Node } from '@xyflow/react';
import type { DraftEdge, DraftGraph, DraftNode, Problem, StrategySettings } from '../api/strategy';

export type Group = 'entry' | 'judgment' | 'control' | 'action' | 'smart';

export interface NodeKind {
  type: string;
  group: Group;
  /** The fields a new node of this kind starts with. */
  defaults: () => Record<string, unknown>;
}

const DAY = 86400;

export const NODE_KINDS: NodeKind[] = [
  { type: 'segment_entry', group: 'entry', defaults: () => ({ reentry: { policy: 'once', max_concurrent: 1 } }) },
  { type: 'event_entry', group: 'entry', defaults: () => ({ filters: [] }) },
  { type: 'api_entry', group: 'entry', defaults: () => ({ payload_keys: [] }) },
  {
    type: 'condition_split',
    group: 'judgment',
    defaults: () => ({ branches: [{ label: 'b1', condition: { type: 'attribute', field: '', op: 'gte', value: null } }] }),
  },
  { type: 'wait_event', group: 'judgment', defaults: () => ({ filters: [], within_seconds: 3 * DAY }) },
  {
    type: 'ab_split',
    group: 'judgment',
    defaults: () => ({ variants: [{ label: 'A', percent: 50 }, { label: 'B', percent: 50 }], control: 'A' }),
  },
  { type: 'result_split', group: 'judgment', defaults: () => ({ wait_seconds: DAY }) },
  { type: 'delay', group: 'control', defaults: () => ({ seconds: DAY }) },
  { type: 'wait_until', group: 'control', defaults: () => ({ at: '09:00', weekdays: [] }) },
  { type: 'time_window', group: 'control', defaults: () => ({ start: '09:00', end: '21:00', weekdays: [] }) },
  { type: 'rate_limit', group: 'control', defaults: () => ({ limit: 1000, per: 'day', overflow: 'hold' }) },
  { type: 'goal', group: 'control', defaults: () => ({ filters: [], window_seconds: 30 * DAY }) },
  { type: 'exit', group: 'control', defaults: () => ({}) },
  { type: 'send', group: 'action', defaults: () => ({ channel: 'push', purpose: 'marketing' }) },
  { type: 'benefit', group: 'action', defaults: () => ({}) },
  { type: 'tag', group: 'action', defaults: () => ({ action: 'add' }) },
  { type: 'set_attribute', group: 'action', defaults: () => ({}) },
  { type: 'webhook', group: 'action', defaults: () => ({ url: 'https://', include: [] }) },
  { type: 'rm_task', group: 'action', defaults: () => ({ due_days: 3 }) },
  { type: 'propensity', group: 'smart', defaults: () => ({ top_percent: 20 }) },
  { type: 'best_time', group: 'smart', defaults: () => ({ default_hour: 10, max_wait_seconds: 2 * DAY }) },
];

export const GROUPS: Group[] = ['entry', 'judgment', 'control', 'action', 'smart'];
export const ENTRY_TYPES = new Set(['segment_entry', 'event_entry', 'api_entry']);
export const RESULT_OUTCOMES = ['clicked', 'opened', 'delivered', 'accepted', 'failed', 'suppressed', 'unreachable', 'deferred', 'else'];

export function kindOf(type: string): NodeKind | undefined {
  return NODE_KINDS.find((k) => k.type === type);
}

function labelsOf(items: unknown, key: string): string[] {
  return Array.isArray(items)
    ? items.map((x) => (x && typeof x === 'object' ? String((x as Record<string, unknown>)[key] ?? '') : '')).filter(Boolean)
    : [];
}

/** The labels a node's out-edges may carry, in the order its handles are drawn. */
export function outLabels(node: DraftNode): string[] {
  switch (node.type) {
    case 'condition_split':
      return [...labelsOf(node.branches, 'label'), 'else'];
    case 'ab_split':
      return labelsOf(node.variants, 'label');
    case 'wait_event':
      return ['did', 'timeout'];
    case 'result_split':
      return RESULT_OUTCOMES;
    case 'propensity':
      return ['high', 'else'];
    case 'goal':
    case 'exit':
      return [];
    default:
      return ['next'];
  }
}

// ---- React-Flow-shaped lists -------------------------------------------------------------------------------

/** A canvas node: React Flow's node with the stored node (without its position) as data. */
export type FlowNode = Node<{ node: DraftNode }, 'strategyNode'> & { type: 'strategyNode' };

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  /** The id of the source handle, which is the outcome label the stored edge carries. */
  sourceHandle: string;
  label: string;
  selected?: boolean;
}

/** The ids of a node's source handles, one per outcome label, in drawing order. */
export function sourceHandles(node: DraftNode): string[] {
  return outLabels(node);
}

/** The outcome label an edge leaving a handle carries (a handle-less connection is the single `next`). */
export function labelOfHandle(handle: string | null | undefined): string {
  return handle || 'next';
}

export type ConnectionProblem = 'self' | 'entry' | 'taken' | 'handle' | 'missing';

/**
 * Why a connection dragged on the canvas is refused (null: allowed): a node may not point at itself or at an entry
 * node, the handle must be one of the source's outcomes, and each outcome leads to one node (a second edge from the
 * same handle is refused; remove the first one to re-point it).
 */
export function connectionProblem(
  nodes: FlowNode[],
  edges: FlowEdge[],
  c: { source: string; sourceHandle?: string | null; target: string },
): ConnectionProblem | null {
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target) return 'missing';
  if (c.source === c.target) return 'self';
  if (ENTRY_TYPES.has(target.data.node.type)) return 'entry';
  const label = labelOfHandle(c.sourceHandle);
  if (!sourceHandles(source.data.node).includes(label)) return 'handle';
  if (edges.some((e) => e.source === c.source && e.sourceHandle === label)) return 'taken';
  return null;
}

export function edgeId(e: DraftEdge): string {
  return `${e.source}:${e.label}->${e.target}`;
}

/** The canvas lists of a stored draft (nodes without a position are laid out on the grid). */
export function toFlow(graph: DraftGraph): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes: FlowNode[] = [];
  for (const n of graph.nodes) {
    const position = n.position ?? freePosition(nodes);
    const { position: _drop, ...rest } = n;
    void _drop;
    nodes.push({ id: n.id, type: 'strategyNode', position: { ...position }, data: { node: rest as DraftNode } });
  }
  const edges = graph.edges.map((e) => {
    const label = e.label || 'next';
    return { id: edgeId({ ...e, label }), source: e.source, target: e.target, sourceHandle: label, label };
  });
  return { nodes, edges };
}

/** The draft to store from the canvas lists (positions taken from the canvas). */
export function fromFlow(nodes: FlowNode[], edges: FlowEdge[], settings: StrategySettings): DraftGraph {
  return {
    nodes: nodes.map((n) => ({ ...n.data.node, id: n.id, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    edges: edges.map((e) => ({ source: e.source, target: e.target, label: e.sourceHandle || 'next' })),
    settings,
  };
}

// ---- edits -------------------------------------------------------------------------------------------------

export const NODE_WIDTH = 200;
const GRID_X = 240;
const GRID_Y = 170;
const COLUMNS = 4;

/** The drawn height of a node: taller with more out-handles. */
export function nodeHeight(node: DraftNode): number {
  return Math.max(88, 56 + outLabels(node).length * 18);
}

function overlaps(a: { x: number; y: number }, nodes: FlowNode[]): boolean {
  return nodes.some(
    (n) =>
      Math.abs(n.position.x - a.x) < NODE_WIDTH + 20 &&
      a.y < n.position.y + nodeHeight(n.data.node) + 20 &&
      n.position.y < a.y + 110,
  );
}

/**
 * The first grid cell (row by row) where a new node does not overlap one already there; with `area` (the part of the
 * canvas on screen, in canvas coordinates) the grid starts at its top left and has as many columns as fit in it.
 */
export function freePosition(
  nodes: FlowNode[],
  area?: { x: number; y: number; width: number; height: number },
): { x: number; y: number } {
  const columns = area ? Math.max(1, Math.floor((area.width - 40 - NODE_WIDTH) / GRID_X) + 1) : COLUMNS;
  const x0 = area ? Math.ceil(area.x / 20) * 20 + 40 : 40;
  const y0 = area ? Math.ceil(area.y / 20) * 20 + 40 : 40;
  for (let i = 0; ; i += 1) {
    const p = { x: x0 + (i % columns) * GRID_X, y: y0 + Math.floor(i / columns) * GRID_Y };
    if (!overlaps(p, nodes)) return p;
  }
}

/**
 * Where a node added by clicking the palette goes: right of the node picked on the canvas (the journey reads left to
 * right) when that spot is free and on screen, else the first free grid cell of the part on screen.
 */
export function nextPosition(
  nodes: FlowNode[],
  area?: { x: number; y: number; width: number; height: number },
  after?: FlowNode,
): { x: number; y: number } {
  if (after) {
    const p = { x: after.position.x + GRID_X, y: after.position.y };
    if ((!area || p.x + NODE_WIDTH <= area.x + area.width) && !overlaps(p, nodes)) return p;
  }
  return freePosition(nodes, area);
}

/** A fresh node id for a type (`send_2` when `send_1` exists). */
export function newNodeId(type: string, nodes: { id: string }[]): string {
  const taken = new Set(nodes.map((n) => n.id));
  for (let i = 1; ; i += 1) {
    const id = `${type}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Adds a node of a type, at `at` or at the first free grid cell. */
export function addNode(nodes: FlowNode[], type: string, at?: { x: number; y: number }): FlowNode[] {
  const kind = kindOf(type);
  if (!kind) return nodes;
  const id = newNodeId(type, nodes);
  const node: DraftNode = { id, type, ...kind.defaults() };
  return [...nodes, { id, type: 'strategyNode', position: at ?? freePosition(nodes), data: { node } }];
}

/** Points a node's outcome at a target (null: removes that edge). One edge per outcome. */
export function connect(edges: FlowEdge[], source: string, label: string, target: string | null): FlowEdge[] {
  const rest = edges.filter((e) => !(e.source === source && e.sourceHandle === label));
  if (!target || target === source) return rest;
  const e = { source, target, label };
  return [...rest, { id: edgeId(e), source, target, sourceHandle: label, label }];
}

export function removeNode(
  nodes: FlowNode[],
  edges: FlowEdge[],
  id: string,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  return {
    nodes: nodes.filter((n) => n.id !== id),
    edges: edges.filter((e) => e.source !== id && e.target !== id),
  };
}

/** Replaces a node's fields; edges of outcomes the node no longer has are dropped. */
export function updateNode(
  nodes: FlowNode[],
  edges: FlowEdge[],
  node: DraftNode,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const labels = new Set(outLabels(node));
  return {
    nodes: nodes.map((n) => (n.id === node.id ? { ...n, data: { node } } : n)),
    edges: edges.filter((e) => e.source !== node.id || labels.has(e.sourceHandle)),
  };
}

/** The target of each outcome of a node. */
export function targetsOf(edges: FlowEdge[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of edges) if (e.source === source) out[e.sourceHandle] = e.target;
  return out;
}

/** Problems grouped by node id (graph-wide ones under ''). */
export function problemsByNode(problems: Problem[]): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    const key = p.node_id ?? '';
    out.set(key, [...(out.get(key) ?? []), p]);
  }
  return out;
}
