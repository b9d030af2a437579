import { LinkOutlined } from '@ant-design/icons';
import { App, Alert, Button, Card, DatePicker, Empty, Form, Input, Modal, Segmented, Select, Space, Table, Typography } from 'antd';
import type { ButtonProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/errors';
import { catalogueApi, segmentsApi, tagsApi, type SegmentRead } from '../../api/insight';
import { flowsApi, type FlowCell, type FlowRead, type FlowTiering } from '../../api/ml';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { pct } from '../ml/treeRows';
import {
  activeTiers,
  cellOf,
  commonDays,
  flowSearch,
  isComplete,
  NO_TIER,
  parseFlowQuery,
  snapRange,
  spread,
  trendDays,
  type FlowMode,
  type FlowQuery,
} from './flowMath';
import { TierList } from './TierList';

const PREFERRED = ['lifecycle_stage', 'aum_tier', 'rfm_class', 'activity_level'];
const FMT = 'YYYY-MM-DD';

interface Row {
  source: string;
  startSize: number;
}

/** The latest two distinct days of a tag's history, oldest first (undefined when fewer than two). */
function latestPair(days: string[]): [string, string] | undefined {
  const uniq = [...new Set(days)].sort();
  return uniq.length >= 2 ? [uniq[uniq.length - 2], uniq[uniq.length - 1]] : undefined;
}

function tieringOf(q: FlowQuery): FlowTiering {
  return q.mode === 'segments' ? { segment_ids: q.segmentIds } : { tag: q.tag };
}

/** Days on which every dynamic segment among `ids` has a snapshot (`null`: all static, any day). */
function useCommonDays(ids: number[] | undefined, segments: SegmentRead[] | undefined) {
  return useApi<string[] | null | undefined>(
    async (signal) => {
      if (!ids?.length || !segments) return undefined;
      const byId = new Map(segments.map((s) => [s.id, s]));
      const days = await Promise.all(
        ids.map((id) => (byId.get(id)?.frozen_on ? Promise.resolve(null) : segmentsApi.snapshots(id, signal).then((r) => r.map((s) => s.day)))),
      );
      return commonDays(days);
    },
    [ids?.join(','), segments?.length ?? -1],
  );
}


/** Room (px) for a tier's label beside its Sankey node. */
const SANKEY_LABEL = 150;
export default function FlowsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  // The URL is read once: it is where a bookmarked or shared flow comes from.
  const [initial] = useState(() => parseFlowQuery(params));
  const [mode, setMode] = useState<FlowMode>(initial.mode ?? 'tag');
  const [tag, setTag] = useState(initial.tag ?? 'lifecycle_stage');
  const [segIds, setSegIds] = useState<number[]>(initial.segmentIds ?? []);
  const [range, setRange] = useState<[Dayjs, Dayjs]>(
    initial.start && initial.end ? [dayjs(initial.start), dayjs(initial.end)] : [dayjs().subtract(30, 'day'), dayjs()],
  );
  const [query, setQuery] = useState<FlowQuery | undefined>(() => {
    const q = { mode: initial.mode, tag: initial.tag ?? 'lifecycle_stage', segmentIds: initial.segmentIds ?? [], start: initial.start, end: initial.end };
    return isComplete(q) ? q : undefined;
  });
  const catalogue = useApi((signal) => catalogueApi.get(signal), []);
  const needSegments = mode === 'segments' || query?.mode === 'segments';
  const segmentList = useApi((signal) => (needSegments ? segmentsApi.list(signal) : Promise.resolve(undefined)), [needSegments]);
  const segments = segmentList.data?.items;
  const available = useCommonDays(mode === 'segments' ? segIds : undefined, segments);
  const runDays = useCommonDays(query?.mode === 'segments' ? query.segmentIds : undefined, segments);

  const flow = useApi<FlowRead | undefined>(
    (signal) => (query ? flowsApi.flow({ ...tieringOf(query), start: query.start, end: query.end }, signal) : Promise.resolve(undefined)),
    [query],
  );
  const trendDaysOf = (q: FlowQuery): string[] | undefined => {
    if (q.mode === 'tag') return trendDays(q.start, q.end);
    if (runDays.data === undefined) return undefined;
    if (runDays.data === null) return trendDays(q.start, q.end);
    return spread(runDays.data.filter((d) => d >= q.start && d <= q.end));
  };
  const days = query ? trendDaysOf(query) : undefined;
  const trend = useApi(
    (signal) => (query && days?.length ? flowsApi.trend(tieringOf(query), days, signal) : Promise.resolve(undefined)),
    [query, days?.join(',')],
  );
  // Opened without a complete flow in the URL: run the default tag over its latest two run days, like a dashboard.
  const [autoDone, setAutoDone] = useState(() => query !== undefined || initial.mode === 'segments');
  const autoTag = catalogue.data?.tags.find((tg) => tg.key === tag && tg.value_type === 'string');
  const tagDays = useApi(
    (signal) => (!autoDone && autoTag ? tagsApi.history(autoTag.id, signal).then((h) => h.map((p) => p.day)) : Promise.resolve(undefined)),
    [autoDone, autoTag?.id],
  );
  useEffect(() => {
    if (autoDone) return;
    // The user moved on (other mode, a run of their own), or there is nothing to run: leave the form alone.
    if (mode !== 'tag' || query || catalogue.error !== undefined || (catalogue.data && !autoTag)) {
      setAutoDone(true);
      return;
    }
    if (!autoTag || (tagDays.data === undefined && tagDays.error === undefined)) return;
    const pair = latestPair(tagDays.data ?? []) ?? [range[0].format(FMT), range[1].format(FMT)];
    const q: FlowQuery = { mode: 'tag', tag: autoTag.key, segmentIds: segIds, start: pair[0], end: pair[1] };
    setRange([dayjs(pair[0]), dayjs(pair[1])]);
    setQuery(q);
    setParams(flowSearch(q), { replace: true });
    setAutoDone(true);
  }, [autoDone, mode, query, catalogue.data, catalogue.error, autoTag, tagDays.data, tagDays.error]); // eslint-disable-line react-hooks/exhaustive-deps
  const [picked, setPicked] = useState<FlowCell>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SegmentRead>();
  const editor = can(PERM_CAMPAIGN_EDIT);

  // Dynamic segments can only be compared on days they have snapshots of: move the range onto such days.
  const availableDays = mode === 'segments' ? available.data : undefined;
  useEffect(() => {
    if (!availableDays?.length) return;
    const [s, e] = [range[0].format(FMT), range[1].format(FMT)];
    if (availableDays.includes(s) && availableDays.includes(e)) return;
    const snapped = snapRange(availableDays, s, e);
    if (snapped) setRange([dayjs(snapped[0]), dayjs(snapped[1])]);
  }, [availableDays]); // eslint-disable-line react-hooks/exhaustive-deps
  const availableSet = useMemo(() => new Set(availableDays ?? []), [availableDays]);

  const tagOptions = useMemo(() => {
    const tags = (catalogue.data?.tags ?? []).filter((tg) => tg.value_type === 'string' && (tg.values?.length ?? 0) > 0);
    tags.sort((a, b) => {
      const ia = PREFERRED.indexOf(a.key);
      const ib = PREFERRED.indexOf(b.key);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    // The name is what people read; the key stays searchable and in the tooltip.
    return tags.map((tg) => ({ value: tg.key, label: tg.name, title: `${tg.name} · ${tg.key}` }));
  }, [catalogue.data]);
  const tagName = (key: string) => catalogue.data?.tags.find((tg) => tg.key === key)?.name ?? key;
  const show = (label: string) => (label === NO_TIER ? t(query?.mode === 'segments' ? 'flows.other' : 'flows.noValue') : label);

  const canRun = mode === 'tag' ? !!tag : segIds.length >= 2 && availableDays?.length !== 0;
  const run = () => {
    const q: FlowQuery = { mode, tag, segmentIds: segIds, start: range[0].format(FMT), end: range[1].format(FMT) };
    setSaved(undefined);
    setQuery(q);
    setParams(flowSearch(q), { replace: true });
  };

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      message.success(t('flows.linkCopied'));
    } catch {
      message.info(window.location.href);
    }
  };

  const openCell = (c: FlowCell) => {
    if (!editor || !query) return;
    setPicked(c);
    const what = query.mode === 'tag' ? `${tagName(query.tag)} ` : '';
    setName(`${what}${show(c.source)}→${show(c.target)}（${query.start}~${query.end}）`.slice(0, 128));
  };

  const saveCell = async () => {
    if (!picked || !query) return;
    setBusy(true);
    try {
      const seg = await flowsApi.saveCell({
        ...tieringOf(query),
        start: query.start,
        end: query.end,
        source: picked.source,
        target: picked.target,
        name: name.trim() || `${show(picked.source)}→${show(picked.target)}`,
      });
      setSaved(seg);
      setPicked(undefined);
      message.success(t('ml.tree.savedToast'));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const data = flow.data;
  const tiers = useMemo(() => (data ? activeTiers(data.tiers, data.cells) : { sources: [], targets: [] }), [data]);
  const total = data ? Object.values(data.start_sizes).reduce((a, b) => a + b, 0) : 0;

  const columns: ColumnsType<Row> = [
    {
      title: t('flows.fromTo'),
      dataIndex: 'source',
      fixed: 'left',
      width: 160,
      render: (s: string, r) => (
        <div>
          <Typography.Text strong>{show(s)}</Typography.Text>
          <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.startSize.toLocaleString('en-US')}</Typography.Text></div>
        </div>
      ),
    },
    ...tiers.targets.map((target, j) => ({
      title: show(target),
      key: target,
      align: 'right' as const,
      width: 120,
      render: (_: unknown, r: Row) => {
        const c = data ? cellOf(data.cells, r.source, target) : undefined;
        if (!c) return <Typography.Text type="secondary">—</Typography.Text>;
        const i = tiers.sources.indexOf(r.source);
        const same = r.source === target;
        return (
          <div
            role={editor ? 'button' : undefined}
            onClick={() => openCell(c)}
            style={{ cursor: editor ? 'pointer' : undefined, background: same ? undefined : `rgba(29,78,216,${Math.min(0.35, c.ratio * 0.6)})`, padding: '2px 6px', borderRadius: 4 }}
            data-testid={`flows-cell-${i}-${j}`}
            data-count={c.count}
            title={editor ? t('flows.clickToSave') : undefined}
          >
            <div className="mf-num">{c.count.toLocaleString('en-US')}</div>
            <div className="mf-num" style={{ fontSize: 12, opacity: 0.75 }}>{pct(c.ratio)}</div>
          </div>
        );
      },
    })),
  ];

  const rows: Row[] = tiers.sources.map((s) => ({ source: s, startSize: data?.start_sizes[s] ?? 0 }));

  const startLabel = t('flows.startShort');
  const endLabel = t('flows.endShort');
  const sankey: ChartOption | undefined = data && data.cells.length
    ? ({
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'sankey',
            // Start tiers are labelled left of their nodes, end tiers right of theirs, each with room for a long
            // segment name (cut with … beyond it; the tooltip has it whole).
            left: SANKEY_LABEL + 8,
            right: SANKEY_LABEL + 8,
            top: 8,
            bottom: 8,
            nodeAlign: 'justify',
            nodeGap: 14,
            label: { width: SANKEY_LABEL, overflow: 'truncate', ellipsis: '…' },
            emphasis: { focus: 'adjacency' },
            lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
            data: [
              ...tiers.sources.map((s) => ({ name: `${startLabel}·${show(s)}`, label: { position: 'left' } })),
              ...tiers.targets.map((s) => ({ name: `${endLabel}·${show(s)}`, label: { position: 'right' } })),
            ],
            links: data.cells.map((c) => ({ source: `${startLabel}·${show(c.source)}`, target: `${endLabel}·${show(c.target)}`, value: c.count })),
          },
        ],
      } as ChartOption)
    : undefined;

  const trendTiers = useMemo(() => {
    const set = new Set<string>();
    for (const p of trend.data ?? []) for (const k of Object.keys(p.sizes)) set.add(k);
    const order = data?.tiers ?? [];
    return [...order.filter((x) => set.has(x)), ...[...set].filter((x) => !order.includes(x))];
  }, [trend.data, data]);
  const trendChart: ChartOption | undefined = trend.data?.length
    ? ({
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 48, bottom: 28 },
        xAxis: { type: 'category', data: trend.data.map((p) => p.day) },
        yAxis: { type: 'value', name: t('monitor3.unit.customers') },
        series: trendTiers.map((tier) => ({ type: 'line', name: show(tier), smooth: true, data: trend.data!.map((p) => p.sizes[tier] ?? 0) })),
      } as ChartOption)
    : undefined;

  return (
    <>
      <PageHeader
        title={t('flows.title')}
        subtitle={t('flows.subtitleAny')}
        extra={query && <Button icon={<LinkOutlined />} onClick={copyLink} data-testid="flows-copy-link">{t('flows.copyLink')}</Button>}
      />
      <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }}>
        {catalogue.error !== undefined && <ErrorAlert error={catalogue.error} onRetry={catalogue.reload} />}
        {segmentList.error !== undefined && <ErrorAlert error={segmentList.error} onRetry={segmentList.reload} />}
        <Form layout="vertical" component="div">
          <Form.Item label={t('flows.mode')} style={{ marginBottom: 12 }}>
            <Segmented<FlowMode>
              value={mode}
              onChange={setMode}
              options={[
                { value: 'tag', label: t('flows.mode.tag') },
                { value: 'segments', label: t('flows.mode.segments') },
              ]}
              data-testid="flows-mode"
            />
          </Form.Item>
          {mode === 'tag' ? (
            <Form.Item style={{ marginBottom: 12 }}>
              <Select
                style={{ width: 280 }}
                showSearch
                optionFilterProp="title"
                value={tag}
                onChange={setTag}
                loading={catalogue.loading}
                options={tagOptions}
                aria-label={t('menu.tags')}
                data-testid="flows-tag"
              />
            </Form.Item>
          ) : (
            <Form.Item style={{ marginBottom: 12 }}>
              <TierList segments={segments ?? []} loading={segmentList.loading} value={segIds} onChange={setSegIds} />
              {segIds.length >= 2 && availableDays === null && <Typography.Text type="secondary">{t('flows.allStatic')}</Typography.Text>}
              {segIds.length >= 2 && availableDays && availableDays.length > 0 && (
                <Typography.Text type="secondary" data-testid="flows-snapshot-days">
                  {t('flows.snapshotDays', { n: availableDays.length, last: availableDays[availableDays.length - 1] })}
                </Typography.Text>
              )}
              {segIds.length >= 2 && availableDays?.length === 0 && <Alert type="warning" showIcon title={t('flows.noSnapshots')} />}
              {available.error !== undefined && <ErrorAlert error={available.error} onRetry={available.reload} />}
            </Form.Item>
          )}
          <Form.Item label={t('flows.range')} style={{ marginBottom: 0 }}>
            <Space wrap size={12}>
              <DatePicker.RangePicker
                value={range}
                allowClear={false}
                disabledDate={(d) => d.isAfter(dayjs(), 'day') || (availableDays ? !availableSet.has(d.format(FMT)) : false)}
                onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
                data-testid="flows-range"
              />
              <Button type="primary" onClick={run} disabled={!canRun} loading={flow.loading && query !== undefined} data-testid="flows-run">
                {t('flows.run')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>

      {flow.error !== undefined && <ErrorAlert error={flow.error} onRetry={flow.reload} />}
      {saved && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="flows-saved"
          title={
            <span>
              {t('ml.tree.savedAs', { name: saved.name })}{' '}
              <Link to={`/insight/segments/${saved.id}`} data-testid="flows-saved-link">{t('ml.tree.openSegment')}</Link>
            </span>
          }
        />
      )}

      {query && data && (
        <>
          <Card
            variant="borderless"
            className="mf-card"
            style={{ marginBottom: 16 }}
            title={t('flows.matrix', { start: data.start, end: data.end })}
            extra={data.cells.length > 0 && (
              <Typography.Text type="secondary" data-testid="flows-total" data-total={total}>
                {t('flows.total', { n: total.toLocaleString('en-US') })}
              </Typography.Text>
            )}
          >
            {data.cells.length === 0 ? (
              <Empty description={t(query.mode === 'segments' ? 'flows.emptySegments' : 'flows.empty')} />
            ) : (
              <>
                <Typography.Paragraph type="secondary">{t('flows.matrixHelp')}</Typography.Paragraph>
                <Table<Row>
                  rowKey="source"
                  size="small"
                  bordered
                  pagination={false}
                  columns={columns}
                  dataSource={rows}
                  scroll={{ x: 160 + tiers.targets.length * 120 }}
                  data-testid="flows-matrix"
                  summary={() => (
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0}>
                        <Typography.Text type="secondary">{t('flows.endSize')}</Typography.Text>
                      </Table.Summary.Cell>
                      {tiers.targets.map((tg, j) => (
                        <Table.Summary.Cell index={j + 1} key={tg} align="right">
                          <span className="mf-num">{(data.end_sizes[tg] ?? 0).toLocaleString('en-US')}</span>
                        </Table.Summary.Cell>
                      ))}
                    </Table.Summary.Row>
                  )}
                />
              </>
            )}
          </Card>
          {sankey && (
            <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('flows.sankey')}>
              <EChart option={sankey} height={Math.max(280, tiers.sources.length * 48)} testId="flows-sankey" />
            </Card>
          )}
          <Card variant="borderless" className="mf-card" title={t('flows.trend')}>
            {trend.error !== undefined && <ErrorAlert error={trend.error} onRetry={trend.reload} />}
            {trendChart ? <EChart option={trendChart} height={280} testId="flows-trend" /> : !trend.loading && <Empty />}
          </Card>
        </>
      )}

      <Modal
        open={picked !== undefined}
        title={t('flows.saveTitle')}
        onCancel={() => setPicked(undefined)}
        onOk={saveCell}
        confirmLoading={busy}
        okText={t('ml.tree.saveLeaf')}
        okButtonProps={{ 'data-testid': 'flows-save-confirm' } as ButtonProps}
      >
        {picked && (
          <>
            <Typography.Paragraph>
              {t(query?.mode === 'segments' ? 'flows.saveHelpSegments' : 'flows.saveHelp', {
                source: show(picked.source),
                target: show(picked.target),
                n: picked.count.toLocaleString('en-US'),
              })}
            </Typography.Paragraph>
            <Input value={name} maxLength={128} onChange={(e) => setName(e.target.value)} data-testid="flows-save-name" />
          </>
        )}
      </Modal>
    </>
  );
}
