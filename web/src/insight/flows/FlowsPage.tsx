import { App, Alert, Button, Card, DatePicker, Empty, Input, Modal, Select, Space, Table, Typography } from 'antd';
import type { ButtonProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { catalogueApi, type SegmentRead } from '../../api/insight';
import { flowsApi, type FlowCell, type FlowRead } from '../../api/ml';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { pct } from '../ml/treeRows';
import { activeTiers, cellOf, trendDays } from './flowMath';

const PREFERRED = ['lifecycle_stage', 'aum_tier', 'rfm_class', 'activity_level'];
const FMT = 'YYYY-MM-DD';

interface Row {
  source: string;
  startSize: number;
}

export default function FlowsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const catalogue = useApi((signal) => catalogueApi.get(signal), []);
  const [tag, setTag] = useState('lifecycle_stage');
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(30, 'day'), dayjs()]);
  const [query, setQuery] = useState<{ tag: string; start: string; end: string }>();
  const flow = useApi<FlowRead | undefined>(
    (signal) => (query ? flowsApi.flow(query, signal) : Promise.resolve(undefined)),
    [query],
  );
  const trend = useApi(
    (signal) => (query ? flowsApi.trend(query.tag, trendDays(query.start, query.end), signal) : Promise.resolve(undefined)),
    [query],
  );
  const [picked, setPicked] = useState<FlowCell>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SegmentRead>();
  const editor = can(PERM_CAMPAIGN_EDIT);

  const tagOptions = useMemo(() => {
    const tags = (catalogue.data?.tags ?? []).filter((tg) => tg.value_type === 'string' && (tg.values?.length ?? 0) > 0);
    tags.sort((a, b) => {
      const ia = PREFERRED.indexOf(a.key);
      const ib = PREFERRED.indexOf(b.key);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    return tags.map((tg) => ({ value: tg.key, label: `${tg.name}（${tg.key}）`, title: `${tg.key} ${tg.name}` }));
  }, [catalogue.data]);
  const tagName = (key: string) => catalogue.data?.tags.find((tg) => tg.key === key)?.name ?? key;

  const run = () => {
    setSaved(undefined);
    setQuery({ tag, start: range[0].format(FMT), end: range[1].format(FMT) });
  };

  const openCell = (c: FlowCell) => {
    if (!editor || !query) return;
    setPicked(c);
    setName(`${tagName(query.tag)} ${c.source}→${c.target}（${query.start}~${query.end}）`.slice(0, 128));
  };

  const saveCell = async () => {
    if (!picked || !query) return;
    setBusy(true);
    try {
      const seg = await flowsApi.saveCell({ ...query, source: picked.source, target: picked.target, name: name.trim() || `${picked.source}→${picked.target}` });
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

  const columns: ColumnsType<Row> = [
    {
      title: t('flows.fromTo'),
      dataIndex: 'source',
      fixed: 'left',
      width: 140,
      render: (s: string, r) => (
        <div>
          <Typography.Text strong>{s}</Typography.Text>
          <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.startSize.toLocaleString('en-US')}</Typography.Text></div>
        </div>
      ),
    },
    ...tiers.targets.map((target, j) => ({
      title: target,
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
            left: 24,
            right: 96,
            top: 8,
            bottom: 8,
            nodeAlign: 'justify',
            emphasis: { focus: 'adjacency' },
            lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
            data: [
              ...tiers.sources.map((s) => ({ name: `${startLabel}·${s}` })),
              ...tiers.targets.map((s) => ({ name: `${endLabel}·${s}` })),
            ],
            links: data.cells.map((c) => ({ source: `${startLabel}·${c.source}`, target: `${endLabel}·${c.target}`, value: c.count })),
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
        grid: { left: 56, right: 16, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: trend.data.map((p) => p.day) },
        yAxis: { type: 'value' },
        series: trendTiers.map((tier) => ({ type: 'line', name: tier, smooth: true, data: trend.data!.map((p) => p.sizes[tier] ?? 0) })),
      } as ChartOption)
    : undefined;

  return (
    <>
      <PageHeader title={t('flows.title')} subtitle={t('flows.subtitle')} />
      <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }}>
        {catalogue.error !== undefined && <ErrorAlert error={catalogue.error} onRetry={catalogue.reload} />}
        <Space wrap size={12}>
          <Select
            style={{ width: 280 }}
            showSearch
            optionFilterProp="title"
            value={tag}
            onChange={setTag}
            loading={catalogue.loading}
            options={tagOptions}
            data-testid="flows-tag"
          />
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            disabledDate={(d) => d.isAfter(dayjs(), 'day')}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
            data-testid="flows-range"
          />
          <Button type="primary" onClick={run} loading={flow.loading && query !== undefined} data-testid="flows-run">
            {t('flows.run')}
          </Button>
        </Space>
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
              <Link to={`/insight/segments/${saved.id}`}>{t('ml.tree.openSegment')}</Link>
            </span>
          }
        />
      )}

      {query && data && (
        <>
          <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('flows.matrix', { start: data.start, end: data.end })}>
            {data.cells.length === 0 ? (
              <Empty description={t('flows.empty')} />
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
                  scroll={{ x: 140 + tiers.targets.length * 120 }}
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
              {t('flows.saveHelp', { source: picked.source, target: picked.target, n: picked.count.toLocaleString('en-US') })}
            </Typography.Paragraph>
            <Input value={name} maxLength={128} onChange={(e) => setName(e.target.value)} data-testid="flows-save-name" />
          </>
        )}
      </Modal>
    </>
  );
}
