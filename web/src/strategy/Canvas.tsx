import { BranchesOutlined, BulbOutlined, ClockCircleOutlined, LoginOutlined, SendOutlined } from '@ant-design/icons';
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  getBezierPath,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type EdgeProps,
  type FinalConnectionState,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { createContext, useContext, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { DraftNode, NodeStats, Problem } from '../api/strategy';
import { useI18n } from '../i18n';
import {
  ENTRY_TYPES,
  NODE_WIDTH,
  connectionProblem,
  kindOf,
  labelOfHandle,
  nodeHeight,
  sourceHandles,
  type ConnectionProblem,
  type FlowEdge,
  type FlowNode,
  type Group,
} from './graph';
import { nodeTitle, outcomeText, problemText, summaryOf, tk, type Lookup } from './labels';

export const PALETTE_MIME = 'application/x-mofang-node';

export const GROUP_COLORS: Record<Group, string> = {
  entry: '#1677ff',
  judgment: '#722ed1',
  control: '#13a8a8',
  action: '#fa8c16',
  smart: '#eb2f96',
};

const GROUP_ICONS: Record<Group, ReactNode> = {
  entry: <LoginOutlined />,
  judgment: <BranchesOutlined />,
  control: <ClockCircleOutlined />,
  action: <SendOutlined />,
  smart: <BulbOutlined />,
};

type Stats = { nodes: Record<string, NodeStats>; edges: Record<string, number> } | null;

export interface CanvasProps {
  nodes: FlowNode[];
  edges: FlowEdge[];
  selected: string | null;
  problems: Map<string, Problem[]>;
  lookup: Lookup;
  readOnly?: boolean;
  /** Changes when another graph is shown (a version, a reload): the view is fitted to it again. */
  graphKey?: number;
  /** Monitoring: counts per node and edge (undefined: not loaded; null: not available → "—"). */
  stats?: Stats;
  onSelect: (id: string | null) => void;
  /** React Flow's node changes to apply (moves and measured sizes); `moved` when the user moved a node. */
  onNodesChange?: (changes: NodeChange<FlowNode>[], moved: boolean) => void;
  /** Edge selection changes to apply. */
  onEdgesChange?: (changes: EdgeChange<FlowEdge>[]) => void;
  onConnect?: (source: string, label: string, target: string) => void;
  /** A connection the canvas refused, with the reason. */
  onRefuse?: (problem: ConnectionProblem) => void;
  onDisconnect?: (source: string, label: string) => void;
  /** The Delete key: the selected nodes and edges to remove. */
  onDelete?: (nodeIds: string[], edges: FlowEdge[]) => void;
  onDrop?: (type: string, position: { x: number; y: number }) => void;
  /** Receives a function giving the part of the canvas on screen (canvas coordinates), for placing clicked nodes. */
  onReady?: (visibleArea: () => { x: number; y: number; width: number; height: number } | null) => void;
}

interface Shared {
  problems: Map<string, Problem[]>;
  lookup: Lookup;
  readOnly: boolean;
  stats?: Stats;
  byId: Map<string, DraftNode>;
  onDisconnect?: (source: string, label: string) => void;
}

const SharedContext = createContext<Shared | null>(null);

function useShared(): Shared {
  const s = useContext(SharedContext);
  if (!s) throw new Error('canvas context missing');
  return s;
}

/** The vertical offset of the i-th outcome handle on a node. */
function handleY(index: number): number {
  return 46 + index * 18;
}

function fmt(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : n.toLocaleString('en-US');
}

/** One strategy node: group colour and icon, title, one-line summary, counts, problems, one handle per outcome. */
function StrategyNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const { t } = useI18n();
  const { problems, lookup, readOnly, stats } = useShared();
  const node = data.node;
  const group = kindOf(node.type)?.group ?? 'control';
  const issues = problems.get(id) ?? [];
  const hasError = issues.some((p) => p.severity === 'error');
  const s = stats?.nodes[id];
  return (
    <div
      data-node-id={id}
      data-testid={`node-${id}`}
      className={[
        'mf-node',
        selected ? 'mf-node-selected' : '',
        hasError ? 'mf-node-error' : issues.length ? 'mf-node-warning' : '',
      ].join(' ')}
      style={{ width: NODE_WIDTH, minHeight: nodeHeight(node) }}
    >
      {!ENTRY_TYPES.has(node.type) && (
        <Handle
          type="target"
          position={Position.Left}
          className="mf-handle mf-handle-in"
          isConnectable={!readOnly}
          data-testid={`target-${id}`}
        />
      )}
      <div className="mf-node-head" style={{ background: GROUP_COLORS[group] }}>
        <span className="mf-node-icon">{GROUP_ICONS[group]}</span>
        <span className="mf-node-title">{nodeTitle(node, t)}</span>
      </div>
      <div className={sourceHandles(node).some((l) => l !== 'next') ? 'mf-node-body mf-node-body-labelled' : 'mf-node-body'}>
        <div className="mf-node-summary" title={summaryOf(node, lookup, t)}>{summaryOf(node, lookup, t) || '\u00a0'}</div>
        {stats !== undefined && (
          <div className="mf-node-stats" data-testid={`node-stats-${id}`}>
            {t('strategy.stats.entered')} {fmt(s?.entered)} · {t('strategy.stats.waiting')} {fmt(s?.waiting)}
            {node.type === 'goal' && ` · ${t('strategy.stats.converted')} ${fmt(s?.converted)}`}
          </div>
        )}
        {issues.map((p, i) => (
          <div key={i} className={p.severity === 'error' ? 'mf-node-problem' : 'mf-node-hint'} data-testid={`node-problem-${id}`}>
            {problemText(p, t)}
          </div>
        ))}
      </div>
      {sourceHandles(node).map((label, i) => (
        <div key={label}>
          {label !== 'next' && (
            <span className="mf-handle-label" style={{ top: handleY(i) }}>
              {outcomeText(node, label, t)}
            </span>
          )}
          <Handle
            type="source"
            position={Position.Right}
            id={label}
            className="mf-handle mf-handle-out"
            style={{ top: handleY(i) }}
            isConnectable={!readOnly}
            data-testid={`handle-${id}-${label}`}
          />
        </div>
      ))}
    </div>
  );
}

/** An edge: a curve from the outcome's handle, labelled with the outcome, its count in monitoring, and a remove button. */
function StrategyEdgeView(props: EdgeProps<Edge & FlowEdge>) {
  const { t } = useI18n();
  const { readOnly, stats, byId, onDisconnect } = useShared();
  const { id, source, target, sourceHandleId, markerEnd, selected } = props;
  const [path, x, y] = getBezierPath(props);
  const label = labelOfHandle(sourceHandleId);
  const node = byId.get(source);
  const text = !node || label === 'next' ? '' : outcomeText(node, label, t);
  const count = stats === undefined ? undefined : fmt(stats?.edges[`${source}:${label}->${target}`]);
  const showLabel = text || count !== undefined || !readOnly;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={selected ? 'mf-edge mf-edge-selected' : 'mf-edge'} />
      {showLabel && (
        <EdgeLabelRenderer>
          <div
            className="mf-edge-label nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
            data-testid={`edge-${source}-${label}-${target}`}
          >
            {text}
            {count !== undefined && <b className="mf-edge-count">{count}</b>}
            {!readOnly && (
              <button
                type="button"
                className="mf-edge-remove"
                title={t('strategy.edge.remove')}
                aria-label={t('strategy.edge.remove')}
                onClick={() => onDisconnect?.(source, label)}
              >
                ×
              </button>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const NODE_TYPES = { strategyNode: StrategyNodeView };
const EDGE_TYPES = { strategy: StrategyEdgeView };
// Fitted graphs stay clear of the zoom controls (bottom left) and the minimap (bottom right); never above 100 %.
const FIT = { maxZoom: 1, padding: { top: '24px', right: '24px', bottom: '118px', left: '24px' } } as const;
const EDGE_OPTIONS = { type: 'strategy', markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: '#8c8c8c' } };

/** The id of the canvas node under a pointer (a connection dropped on a node's body, not on its handle). */
function nodeAt(event: MouseEvent | TouchEvent): string | null {
  const p = 'changedTouches' in event ? event.changedTouches[0] : event;
  if (!p) return null;
  const el = document.elementFromPoint(p.clientX, p.clientY)?.closest('.react-flow__node');
  return el?.getAttribute('data-id') ?? null;
}

function Flow(props: CanvasProps) {
  const { nodes, edges, selected, readOnly = false, graphKey } = props;
  const { t } = useI18n();
  const flow = useReactFlow<FlowNode, Edge>();
  const box = useRef<HTMLDivElement>(null);
  // Fit the view to a stored graph once; an empty new strategy starts at the origin at 100 %.
  const [fitOnInit] = useState(() => nodes.length > 0);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n.data.node])), [nodes]);
  const shared = useMemo<Shared>(
    () => ({ problems: props.problems, lookup: props.lookup, readOnly, stats: props.stats, byId, onDisconnect: props.onDisconnect }),
    [props.problems, props.lookup, readOnly, props.stats, byId, props.onDisconnect],
  );
  const shown = useMemo(() => nodes.map((n) => (n.selected === (n.id === selected) ? n : { ...n, selected: n.id === selected })), [nodes, selected]);

  const visibleArea = () => {
    const rect = box.current?.getBoundingClientRect();
    if (!rect || !rect.width) return null;
    const a = flow.screenToFlowPosition({ x: rect.left, y: rect.top });
    const b = flow.screenToFlowPosition({ x: rect.right, y: rect.bottom });
    return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
  };
  const { onReady } = props;
  useEffect(() => {
    onReady?.(visibleArea);
    // The function reads the live viewport each time it is called.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [onReady]);

  // A node picked elsewhere (added from the palette, chosen in the side panel) is brought into view.
  useEffect(() => {
    if (!selected) return;
    const n = flow.getNode(selected);
    const area = visibleArea();
    if (!n || !area) return;
    const h = nodeHeight(n.data.node);
    const inside =
      n.position.x >= area.x && n.position.y >= area.y &&
      n.position.x + NODE_WIDTH <= area.x + area.width && n.position.y + h <= area.y + area.height;
    if (!inside) void flow.setCenter(n.position.x + NODE_WIDTH / 2, n.position.y + h / 2, { zoom: flow.getZoom(), duration: 200 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected]);

  // Another graph shown (a version opened, back to the draft): fit the view to it. The first graph is fitted by the
  // `fitView` prop; an empty graph is not fitted at all (React Flow would queue the fit and apply it to the first
  // node added, centring it).
  const firstKey = useRef(graphKey);
  useEffect(() => {
    if (graphKey === firstKey.current || nodes.length === 0) return;
    window.requestAnimationFrame(() => void flow.fitView(FIT));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graphKey]);

  const connect = (c: Connection) => {
    const problem = connectionProblem(nodes, edges, c);
    if (problem) props.onRefuse?.(problem);
    else props.onConnect?.(c.source, labelOfHandle(c.sourceHandle), c.target);
  };

  // Dropped on a node's body rather than on its left handle: connect to that node all the same.
  const connectEnd = (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromNode || state.fromHandle?.type !== 'source') return;
    const target = state.toNode?.id ?? nodeAt(event);
    if (!target || target === state.fromNode.id) return;
    connect({ source: state.fromNode.id, sourceHandle: state.fromHandle.id ?? null, target, targetHandle: null });
  };

  const drop = (ev: DragEvent) => {
    const type = ev.dataTransfer.getData(PALETTE_MIME);
    if (!type || readOnly) return;
    ev.preventDefault();
    const p = flow.screenToFlowPosition({ x: ev.clientX, y: ev.clientY });
    props.onDrop?.(type, { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - 20) });
  };

  return (
    <SharedContext.Provider value={shared}>
      <div className="mf-canvas" data-testid="strategy-canvas" ref={box}>
        <ReactFlow<FlowNode, Edge>
          nodes={shown}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          defaultEdgeOptions={EDGE_OPTIONS}
          onNodesChange={(changes) => {
            const kept = changes.filter((c) => c.type === 'position' || c.type === 'dimensions');
            if (kept.length) props.onNodesChange?.(kept, kept.some((c) => c.type === 'position' && !!c.position));
          }}
          onEdgesChange={(changes) => {
            const kept = changes.filter((c) => c.type === 'select');
            if (kept.length) props.onEdgesChange?.(kept as EdgeChange<FlowEdge>[]);
          }}
          onNodeClick={(_, n) => props.onSelect(n.id)}
          onEdgeClick={() => props.onSelect(null)}
          onPaneClick={() => props.onSelect(null)}
          onConnect={connect}
          onConnectEnd={connectEnd}
          isValidConnection={(c) => connectionProblem(nodes, edges, c) === null}
          onDelete={({ nodes: gone, edges: cut }) => props.onDelete?.(gone.map((n) => n.id), cut as unknown as FlowEdge[])}
          deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
          multiSelectionKeyCode={null}
          selectionKeyCode={null}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          elementsSelectable
          snapToGrid
          snapGrid={[10, 10]}
          onDragOver={(e) => {
            if (readOnly) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
          }}
          onDrop={drop}
          fitView={fitOnInit}
          fitViewOptions={FIT}
          minZoom={0.25}
          maxZoom={1.5}
          proOptions={{ hideAttribution: true }}
          ariaLabelConfig={{
            'node.a11yDescription.default': t('strategy.flow.nodeHelp'),
            'node.a11yDescription.keyboardDisabled': t('strategy.flow.nodeHelpNoKeys'),
            'node.a11yDescription.ariaLiveMessage': ({ x, y }) => tk(t, 'strategy.flow.moved', { x: Math.round(x), y: Math.round(y) }),
            'edge.a11yDescription.default': t('strategy.flow.edgeHelp'),
            'controls.ariaLabel': t('strategy.flow.controls'),
            'controls.zoomIn.ariaLabel': t('strategy.flow.zoomIn'),
            'controls.zoomOut.ariaLabel': t('strategy.flow.zoomOut'),
            'controls.fitView.ariaLabel': t('strategy.flow.fitView'),
            'controls.interactive.ariaLabel': t('strategy.flow.interactive'),
            'minimap.ariaLabel': t('strategy.flow.minimap'),
            'handle.ariaLabel': t('strategy.flow.handle'),
          }}
        >
          <Background gap={20} size={1.2} color="#d0d4da" />
          <Controls showInteractive={false} position="bottom-left" fitViewOptions={FIT} />
          <MiniMap
            pannable
            zoomable
            position="bottom-right"
            nodeColor={(n) => GROUP_COLORS[kindOf((n as FlowNode).data.node.type)?.group ?? 'control']}
            nodeStrokeWidth={2}
            style={{ width: 150, height: 100 }}
          />
        </ReactFlow>
      </div>
    </SharedContext.Provider>
  );
}

/**
 * The strategy canvas (React Flow): nodes where they sit, edges from an outcome's handle to the next node. Drag a node
 * to move it; drag from an outcome's handle onto another node to connect them; drop a palette item to add a node
 * there; Delete removes the selection. Read-only in monitoring mode, with counts on every node and edge.
 */
export function Canvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Flow {...props} />
    </ReactFlowProvider>
  );
}
