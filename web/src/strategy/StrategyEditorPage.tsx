import { ArrowLeftOutlined, HistoryOutlined, SettingOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Drawer, Input, Space, Spin, Table, Tag, Typography, type ButtonProps } from 'antd';
import { applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { errorMessage } from '../api/errors';
import {
  PERM_STRATEGY_PUBLISH,
  strategyApi,
  type DraftGraph,
  type Lifecycle,
  type NodeCustomer,
  type Problem,
  type StrategyRead,
  type StrategySettings,
  type StrategyStats,
} from '../api/strategy';
import { useAuth } from '../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../auth/me';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { Canvas, PALETTE_MIME } from './Canvas';
import {
  GROUPS,
  NODE_KINDS,
  addNode,
  connect,
  fromFlow,
  nextPosition,
  problemsByNode,
  removeNode,
  targetsOf,
  toFlow,
  updateNode,
  type FlowEdge,
  type FlowNode,
} from './graph';
import { makeLookup, problemText, tk } from './labels';
import { NodePanel, SettingsPanel } from './SidePanel';
import { STATUS_COLORS, actionsFor } from './StrategyListPage';
import './strategy.css';

const REFRESH_MS = 5000;

function Palette({ onAdd }: { onAdd: (type: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="mf-palette" data-testid="strategy-palette">
      {GROUPS.map((g) => (
        <div key={g}>
          <div className="mf-palette-group">{tk(t, `strategy.group.${g}`)}</div>
          {NODE_KINDS.filter((k) => k.group === g).map((k) => (
            <div
              key={k.type}
              role="button"
              tabIndex={0}
              className={`mf-palette-item mf-group-${g}`}
              draggable
              data-testid={`palette-${k.type}`}
              title={tk(t, `strategy.nodeHelp.${k.type}`)}
              onDragStart={(e) => {
                e.dataTransfer.setData(PALETTE_MIME, k.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onAdd(k.type)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') onAdd(k.type);
              }}
            >
              {tk(t, `strategy.node.${k.type}`)}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

function CustomersDrawer({ sid, node, onClose }: { sid: number; node: string | null; onClose: () => void }) {
  const { t } = useI18n();
  const { data, loading, error } = useApi(
    (_signal) => (node ? strategyApi.nodeCustomers(sid, node, 50, 0) : Promise.resolve(null)),
    [sid, node],
  );
  const rows: NodeCustomer[] = data ? (Array.isArray(data) ? data : data.items) : [];
  const extra = rows.length ? Object.keys(rows[0]).filter((k) => !['customer_id', 'name'].includes(k)).slice(0, 3) : [];
  return (
    <Drawer open={!!node} onClose={onClose} size={520} title={tk(t, 'strategy.customers.title', { node: node ?? '' })}>
      {error ? <ErrorAlert error={error} /> : null}
      {data === null && !loading ? (
        <Typography.Text type="secondary" data-testid="node-customers-unavailable">{t('strategy.customers.unavailable')}</Typography.Text>
      ) : (
        <Table
          rowKey="customer_id"
          size="small"
          loading={loading}
          dataSource={rows}
          pagination={false}
          columns={[
            { title: t('strategy.customers.id'), dataIndex: 'customer_id', render: (id: string) => <Link to={`/insight/customers/${encodeURIComponent(id)}`}>{id}</Link> },
            { title: t('strategy.customers.name'), dataIndex: 'name' },
            ...extra.map((k) => ({ title: k, dataIndex: k, render: (v: unknown) => (v === null || v === undefined ? '—' : String(v)) })),
          ]}
        />
      )}
    </Drawer>
  );
}

function VersionsDrawer({ sid, open, onClose, onLoad }: { sid: number; open: boolean; onClose: () => void; onLoad: (g: DraftGraph, v: number) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { data, loading } = useApi((signal) => (open ? strategyApi.versions(sid, signal) : Promise.resolve([])), [sid, open]);
  return (
    <Drawer open={open} onClose={onClose} size={520} title={t('strategy.versions.title')}>
      <Table
        rowKey="version"
        size="small"
        loading={loading}
        dataSource={data ?? []}
        pagination={false}
        data-testid="strategy-versions"
        columns={[
          { title: t('strategy.versions.version'), dataIndex: 'version', render: (v: number) => `v${v}` },
          {
            title: t('strategy.versions.state'),
            dataIndex: 'published_at',
            render: (p: string | null) => (p ? <Tag color="green">{t('strategy.versions.published')} {formatDateTime(p)}</Tag> : <Tag>{t('strategy.versions.draft')}</Tag>),
          },
          { title: t('strategy.versions.by'), dataIndex: 'created_by' },
          { title: t('strategy.versions.note'), dataIndex: 'note', render: (n: string | null) => n ?? '—' },
          {
            title: '',
            key: 'open',
            render: (_: unknown, v) => (
              <Button size="small" onClick={async () => {
                try {
                  const got = await strategyApi.version(sid, v.version);
                  onLoad(got.graph, v.version);
                } catch (err) {
                  message.error(errorMessage(err, t));
                }
              }}>
                {t('strategy.versions.view')}
              </Button>
            ),
          },
        ]}
      />
    </Drawer>
  );
}

/** The strategy editor (palette, canvas, side panel) and, with `monitor`, the same canvas read-only with live counts. */
export default function StrategyEditorPage({ monitor = false }: { monitor?: boolean }) {
  const { id } = useParams();
  const sid = Number(id);
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const mayEdit = can(PERM_CAMPAIGN_EDIT);
  const mayPublish = can(PERM_STRATEGY_PUBLISH);
  const loaded = useApi((signal) => strategyApi.get(sid, signal), [sid]);
  const catalogue = useApi((signal) => strategyApi.catalogue(sid, signal), [sid]);
  const [strategy, setStrategy] = useState<StrategyRead | null>(null);
  const [name, setName] = useState('');
  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const [edges, setEdges] = useState<FlowEdge[]>([]);
  const [settings, setSettings] = useState<StrategySettings>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [stats, setStats] = useState<StrategyStats | null | undefined>(undefined);
  const [customersOf, setCustomersOf] = useState<string | null>(null);
  const [graphKey, setGraphKey] = useState(0);
  const visibleArea = useRef<() => { x: number; y: number; width: number; height: number } | null>(() => null);
  const onCanvasReady = useCallback((f: typeof visibleArea.current) => {
    visibleArea.current = f;
  }, []);

  const show = useCallback((g: DraftGraph | null) => {
    const flow = toFlow(g ?? { nodes: [], edges: [], settings: {} });
    setNodes(flow.nodes);
    setEdges(flow.edges);
    setSettings(g?.settings ?? {});
    setDirty(false);
    setGraphKey((k) => k + 1);
  }, []);

  useEffect(() => {
    const s = loaded.data;
    if (!s) return;
    setStrategy(s);
    setName(s.name);
    if (monitor && s.published_version && s.published_version !== s.current_version) {
      strategyApi.version(s.id, s.published_version).then((v) => show(v.graph), () => show(s.graph));
    } else {
      show(s.graph);
    }
  }, [loaded.data, monitor, show]);

  // Monitoring: counts of the running version, refreshed every 5 s while the tab is visible and at once when it
  // shows again ("—" when the runtime does not answer); a hidden tab asks the server nothing.
  const monitorVersion = strategy?.published_version ?? null;
  useEffect(() => {
    if (!monitor || !monitorVersion) return undefined;
    let live = true;
    const load = () =>
      strategyApi.stats(sid, monitorVersion).then(
        (s) => live && setStats(s),
        () => live && setStats(null),
      );
    const tick = () => {
      if (!document.hidden) load();
    };
    load();
    const timer = window.setInterval(tick, REFRESH_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      live = false;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [monitor, sid, monitorVersion]);

  const status = strategy?.status;
  const readOnly = monitor || !mayEdit || viewing !== null || status === 'stopped' || status === 'archived';
  const graph = useMemo(() => fromFlow(nodes, edges, settings), [nodes, edges, settings]);
  const byNode = useMemo(() => problemsByNode(problems), [problems]);
  const lookup = useMemo(() => makeLookup(catalogue.data, lang), [catalogue.data, lang]);
  const orphanProblems = problems.filter((p) => !p.node_id || !nodes.some((n) => n.id === p.node_id));
  const current = nodes.find((n) => n.id === selected);
  const statsView = useMemo(() => {
    if (!monitor) return undefined;
    if (!stats) return stats === null ? null : undefined;
    const e: Record<string, number> = {};
    for (const x of stats.edges) e[`${x.source}:${x.label}->${x.target}`] = x.count;
    return { nodes: stats.nodes, edges: e };
  }, [monitor, stats]);

  const change = (f: () => void) => {
    f();
    setDirty(true);
  };

  // A clicked palette item lands right of the picked node or on a free spot on screen; a dropped one where it fell.
  const add = (type: string, at?: { x: number; y: number }) =>
    change(() => {
      const area = visibleArea.current() ?? undefined;
      const next = addNode(nodes, type, at ?? nextPosition(nodes, area, nodes.find((n) => n.id === selected)));
      setNodes(next);
      setSelected(next.at(-1)?.id ?? null);
    });

  const save = async (quiet = false): Promise<boolean> => {
    try {
      const s = await strategyApi.update(sid, { name: name.trim() || strategy?.name, graph });
      setStrategy(s);
      setDirty(false);
      if (!quiet) message.success(t('strategy.saved'));
      return true;
    } catch (err) {
      message.error(errorMessage(err, t));
      return false;
    }
  };

  const validate = async (): Promise<boolean> => {
    try {
      const res = await strategyApi.validate(sid, graph);
      setProblems(res.problems);
      const errors = res.problems.filter((p) => p.severity === 'error').length;
      if (errors) message.error(tk(t, 'strategy.validate.failed', { n: errors }));
      else message.success(t('strategy.validate.ok'));
      return res.ok;
    } catch (err) {
      message.error(errorMessage(err, t));
      return false;
    }
  };

  const publish = async (migrate: boolean) => {
    setBusy(true);
    try {
      if (!(await save(true))) return;
      const s = await strategyApi.publish(sid, { migrate_instances: migrate });
      setStrategy(s);
      setProblems([]);
      message.success(tk(t, 'strategy.published', { v: s.published_version ?? '' }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'strategy.invalid') {
        const res = await strategyApi.validate(sid, graph).catch(() => null);
        if (res) setProblems(res.problems);
      }
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const confirmPublish = () => {
    let migrate = false;
    modal.confirm({
      title: t('strategy.publish.title'),
      content: (
        <div>
          <p>{t('strategy.publish.body')}</p>
          {strategy?.published_version ? (
            <Checkbox data-testid="publish-migrate" onChange={(e) => (migrate = e.target.checked)}>
              {t('strategy.publish.migrate')}
            </Checkbox>
          ) : null}
        </div>
      ),
      okText: t('strategy.action.publish'),
      okButtonProps: { 'data-testid': 'publish-confirm' } as ButtonProps,
      onOk: () => publish(migrate),
    });
  };

  const act = async (action: Lifecycle) => {
    try {
      const s = await strategyApi.lifecycle(sid, action);
      setStrategy(s);
      message.success(tk(t, `strategy.done.${action}`));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const removeSelection = (ids: string[], cut: FlowEdge[]) =>
    change(() => {
      let next = { nodes, edges };
      for (const nid of ids) next = removeNode(next.nodes, next.edges, nid);
      for (const e of cut) next = { ...next, edges: connect(next.edges, e.source, e.sourceHandle, null) };
      setNodes(next.nodes);
      setEdges(next.edges);
      if (selected && ids.includes(selected)) setSelected(null);
    });

  if (loaded.error) return <ErrorAlert error={loaded.error} onRetry={loaded.reload} />;
  if (!strategy) return <Spin />;
  const canPublish = mayPublish && !monitor && viewing === null && (status === 'draft' || status === 'published' || status === 'paused');

  return (
    <div className="mf-strategy-editor">
      <div className="mf-editor-bar">
        <Space wrap>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/strategy')} aria-label={t('common.back')} />
          {readOnly ? (
            <Typography.Title level={5} style={{ margin: 0 }} data-testid="strategy-title">{strategy.name}</Typography.Title>
          ) : (
            <Input data-testid="strategy-title" value={name} maxLength={128} style={{ width: 220 }} onChange={(e) => { setName(e.target.value); setDirty(true); }} />
          )}
          <Tag color={STATUS_COLORS[strategy.status]} data-testid="strategy-status">{tk(t, `strategy.status.${strategy.status}`)}</Tag>
          <Typography.Text type="secondary" data-testid="strategy-version">
            {viewing !== null
              ? tk(t, 'strategy.viewingVersion', { v: viewing })
              : strategy.published_version
                ? tk(t, strategy.has_draft ? 'strategy.version.publishedDraft' : 'strategy.version.published', { v: strategy.published_version, d: strategy.current_version })
                : tk(t, 'strategy.version.draft', { d: strategy.current_version })}
          </Typography.Text>
          {dirty && <Tag color="gold">{t('strategy.unsaved')}</Tag>}
        </Space>
        <Space wrap>
          {monitor ? (
            <Link to={`/strategy/${sid}`}><Button>{t('strategy.backToEditor')}</Button></Link>
          ) : (
            strategy.published_version && <Link to={`/strategy/${sid}/monitor`}><Button data-testid="strategy-monitor">{t('strategy.monitor')}</Button></Link>
          )}
          {strategy.published_version && <Link to={`/strategy/${sid}/experiments`}><Button data-testid="strategy-experiments">{t('xr.open')}</Button></Link>}
          <Button icon={<HistoryOutlined />} onClick={() => setVersionsOpen(true)} data-testid="strategy-versions-open">{t('strategy.versions.title')}</Button>
          {viewing !== null && <Button onClick={() => { setViewing(null); show(strategy.graph); }}>{t('strategy.versions.back')}</Button>}
          {!monitor && viewing === null && (
            <>
              <Button icon={<SettingOutlined />} onClick={() => setSelected(null)} data-testid="strategy-settings">{t('strategy.settings.title')}</Button>
              <Button onClick={validate} data-testid="strategy-validate">{t('strategy.action.validate')}</Button>
              {!readOnly && <Button onClick={() => save()} disabled={!dirty} data-testid="strategy-save">{t('strategy.action.save')}</Button>}
            </>
          )}
          {canPublish && (
            <Button type="primary" loading={busy} onClick={confirmPublish} data-testid="strategy-publish">{t('strategy.action.publish')}</Button>
          )}
          {mayPublish && !monitor &&
            actionsFor(strategy.status).map((a) => (
              <Button key={a} danger={a === 'stop'} data-testid={`strategy-${a}`} onClick={() =>
                modal.confirm({ title: tk(t, `strategy.confirm.${a}`), onOk: () => act(a) })}>
                {tk(t, `strategy.action.${a}`)}
              </Button>
            ))}
        </Space>
      </div>
      {orphanProblems.length > 0 && (
        <Alert type="error" showIcon style={{ marginBottom: 8 }} data-testid="strategy-graph-problems"
          title={orphanProblems.map((p) => problemText(p, t)).join('；')} />
      )}
      {monitor && stats === null && (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t('strategy.stats.unavailable')} data-testid="strategy-stats-unavailable" />
      )}
      <div className="mf-editor-body">
        {!readOnly && <Palette onAdd={(type) => add(type)} />}
        <Canvas
          nodes={nodes}
          edges={edges}
          selected={selected}
          problems={byNode}
          lookup={lookup}
          readOnly={readOnly}
          stats={statsView}
          graphKey={graphKey}
          onSelect={(nid) => {
            setSelected(nid);
            if (monitor && nid) setCustomersOf(nid);
          }}
          onNodesChange={(changes, moved) => {
            setNodes((ns) => applyNodeChanges(changes, ns));
            if (moved && !readOnly) setDirty(true);
          }}
          onEdgesChange={(changes) => setEdges((es) => applyEdgeChanges(changes, es))}
          onConnect={(s, label, target) => change(() => setEdges((es) => connect(es, s, label, target)))}
          onRefuse={(problem) => message.warning(tk(t, `strategy.connect.${problem}`))}
          onDisconnect={(s, label) => change(() => setEdges((es) => connect(es, s, label, null)))}
          onDelete={removeSelection}
          onDrop={(type, at) => add(type, at)}
          onReady={onCanvasReady}
        />
        {!monitor && (
          <div className="mf-side-panel">
            {current ? (
              <NodePanel
                node={current.data.node}
                flowNodes={nodes}
                targets={targetsOf(edges, current.id)}
                catalogue={catalogue.data}
                readOnly={readOnly}
                onChange={(node) => change(() => {
                  const next = updateNode(nodes, edges, node);
                  setNodes(next.nodes);
                  setEdges(next.edges);
                })}
                onConnect={(label, target) => change(() => setEdges((es) => connect(es, current.id, label, target)))}
                onRemove={() => change(() => {
                  const next = removeNode(nodes, edges, current.id);
                  setNodes(next.nodes);
                  setEdges(next.edges);
                  setSelected(null);
                })}
              />
            ) : (
              <SettingsPanel settings={settings} readOnly={readOnly} onChange={(s) => change(() => setSettings(s))} />
            )}
          </div>
        )}
      </div>
      <VersionsDrawer sid={sid} open={versionsOpen} onClose={() => setVersionsOpen(false)} onLoad={(g, v) => {
        setVersionsOpen(false);
        setViewing(v);
        setSelected(null);
        setProblems([]);
        show(g);
      }} />
      {monitor && <CustomersDrawer sid={sid} node={customersOf} onClose={() => setCustomersOf(null)} />}
    </div>
  );
}
