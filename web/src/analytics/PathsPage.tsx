import { InputNumber, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { analyticsApi } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { useI18n } from '../i18n';
import {
  csvName,
  EventPicker,
  Field,
  lastDays,
  num,
  QueryCard,
  RangeField,
  ResultCard,
  RunButton,
  useCatalogue,
  useEventName,
  useRun,
  type DateRange,
} from './common';

export default function PathsPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const name = useEventName(catalogue.data);
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [anchor, setAnchor] = useState('');
  const [direction, setDirection] = useState<'starting' | 'ending'>('starting');
  const [depth, setDepth] = useState(4);
  const [gap, setGap] = useState(30);
  const result = useRun(analyticsApi.paths);
  const data = result.data;
  const run = () =>
    result.run({ date_from: range[0], date_to: range[1], anchor: { event: anchor }, direction, depth, session_gap_minutes: gap, top: 20 });

  // Keep the Sankey readable: the strongest links only, and only nodes they touch.
  const links = (data?.links ?? []).slice(0, 80);
  const used = new Set(links.flatMap((l) => [l.source, l.target]));
  const option: ChartOption | undefined = data && {
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: 120,
        top: 8,
        bottom: 8,
        nodeGap: 10,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
        label: { formatter: (p) => name(String(p.name).split(':').slice(1).join(':')) },
        data: data.nodes.filter((n) => used.has(n.id)).map((n) => ({ name: n.id })),
        links: links.map((l) => ({ source: l.source, target: l.target, value: l.sessions })),
      },
    ],
  };
  const csv = () => ({
    name: csvName('paths', range),
    header: [t('an.paths.path'), t('an.paths.sessions')],
    rows: data!.top.map((p) => [p.events.join(' > '), p.sessions]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!anchor} testId="paths-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.paths.anchor')}>
          <Space.Compact>
          <Select
            value={direction}
            onChange={setDirection}
            style={{ width: 100 }}
            options={[
              { value: 'starting', label: t('an.paths.starting') },
              { value: 'ending', label: t('an.paths.ending') },
            ]}
          />
          <EventPicker catalogue={catalogue.data} value={anchor} onChange={setAnchor} testId="paths-anchor" />
          </Space.Compact>
        </Field>
        <Field label={t('an.paths.depth')}>
          <InputNumber min={2} max={10} value={depth} onChange={(v) => setDepth(v ?? 4)} style={{ width: 70 }} />
        </Field>
        <Field label={t('an.paths.gap')}>
          <InputNumber min={1} max={1440} value={gap} onChange={(v) => setGap(v ?? 30)} suffix={t('an.unit.minute')} style={{ width: 110 }} />
        </Field>
      </QueryCard>
      <ResultCard
        title={t('an.result')}
        error={result.error}
        hasData={!!data}
        loading={result.loading}
        csv={csv}
        extra={data && <Typography.Text type="secondary">{t('an.paths.sessionsTotal', { n: num(data.sessions) })}</Typography.Text>}
      >
        {option && links.length > 0 && <EChart option={option} height={420} testId="paths-sankey" />}
        {data && (
          <Table
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(p) => p.events.join('>')}
            dataSource={data.top}
            pagination={false}
            columns={[
              { title: t('an.paths.path'), key: 'p', render: (_: unknown, p) => p.events.map(name).join(' → ') },
              { title: t('an.paths.sessions'), dataIndex: 'sessions', align: 'right', width: 120, render: (v: number) => num(v) },
            ]}
          />
        )}
      </ResultCard>
    </>
  );
}
