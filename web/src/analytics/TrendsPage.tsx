import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Segmented, Select, Space, Table } from 'antd';
import { useMemo, useState } from 'react';
import { analyticsApi, type Granularity, type TrendLine, type TrendMeasure, type TrendSeries } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { useI18n } from '../i18n';
import { attributeLabel } from '../insight/segments/labels';
import {
  AttributePicker,
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

const MEASURES: TrendMeasure[] = ['total', 'uniques', 'per_customer', 'sum', 'avg', 'max'];

export default function TrendsPage() {
  const { t, lang } = useI18n();
  const catalogue = useCatalogue();
  const name = useEventName(catalogue.data);
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [series, setSeries] = useState<TrendSeries[]>([{ event: '', measure: 'total' }]);
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [groupKind, setGroupKind] = useState<'attribute' | 'property'>('attribute');
  const [groupBy, setGroupBy] = useState<string>();
  const [compare, setCompare] = useState(true);
  const [chartType, setChartType] = useState<'line' | 'bar'>('line');
  const result = useRun(analyticsApi.trends);

  const ready = series.every((s) => s.event && (!['sum', 'avg', 'max'].includes(s.measure) || s.property));
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      series: series.map((s) => ({ ...s, property: ['sum', 'avg', 'max'].includes(s.measure) ? s.property : null })),
      granularity,
      group_by: groupBy ? { kind: groupKind, name: groupBy } : null,
      compare_previous: compare,
    });

  const numericProps = (event: string) =>
    (catalogue.data?.events.find((e) => e.name === event)?.properties ?? []).filter((p) => p.type === 'number');
  const allProps = useMemo(
    () => [...new Set(series.flatMap((s) => catalogue.data?.events.find((e) => e.name === s.event)?.properties.map((p) => p.key) ?? []))],
    [series, catalogue.data],
  );

  const data = result.data;
  const lineName = (l: TrendLine) =>
    `${name(l.event)} · ${t(`an.measure.${l.measure}`)}${l.group !== null ? ` · ${l.group}` : ''}`;
  const option: ChartOption | undefined = data && {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'category', data: data.buckets.map((b) => fmtBucket(b, granularity)), boundaryGap: chartType === 'bar' },
    yAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
    series: [
      ...data.lines.map((l) => ({ type: chartType, name: lineName(l), data: l.values, smooth: true, showSymbol: data.buckets.length <= 31 })),
      ...(data.previous ?? []).map((l) => ({
        type: 'line' as const,
        name: `${lineName(l)} (${t('an.previous')})`,
        data: l.values,
        smooth: true,
        showSymbol: false,
        lineStyle: { type: 'dashed' as const, width: 1 },
      })),
    ],
  };

  const csv = () => ({
    name: csvName('trends', range),
    header: [t('an.series'), t('an.group'), ...data!.buckets, t('an.total')],
    rows: [
      ...data!.lines.map((l) => [lineName(l), l.group, ...l.values, l.total]),
      ...(data!.previous ?? []).map((l) => [`${lineName(l)} (${t('an.previous')})`, l.group, ...l.values, l.total]),
    ],
  });

  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!ready} testId="trends-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.series')}>
          <Space orientation="vertical" size={4}>
            {series.map((s, i) => {
              const set = (patch: Partial<TrendSeries>) => setSeries(series.map((x, j) => (j === i ? { ...x, ...patch } : x)));
              return (
                <Space key={i} size={4} wrap>
                  <EventPicker catalogue={catalogue.data} value={s.event} onChange={(event) => set({ event, property: null })} testId={`trends-event-${i}`} />
                  <Select
                    value={s.measure}
                    onChange={(measure: TrendMeasure) => set({ measure })}
                    style={{ width: 120 }}
                    options={MEASURES.map((m) => ({ value: m, label: t(`an.measure.${m}`) }))}
                  />
                  {['sum', 'avg', 'max'].includes(s.measure) && (
                    <Select
                      value={s.property ?? undefined}
                      onChange={(property: string) => set({ property })}
                      placeholder={t('seg.pickProperty')}
                      style={{ width: 130 }}
                      options={numericProps(s.event).map((p) => ({ value: p.key, label: p.key }))}
                    />
                  )}
                  {series.length > 1 && (
                    <Button size="small" type="text" icon={<CloseOutlined />} onClick={() => setSeries(series.filter((_, j) => j !== i))} />
                  )}
                </Space>
              );
            })}
            {series.length < 8 && (
              <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setSeries([...series, { event: '', measure: 'total' }])}>
                {t('an.addSeries')}
              </Button>
            )}
          </Space>
        </Field>
        <Field label={t('an.granularity')}>
          <Select
            value={granularity}
            onChange={setGranularity}
            style={{ width: 90 }}
            options={(['hour', 'day', 'week', 'month'] as const).map((g) => ({ value: g, label: t(`an.gran.${g}`) }))}
          />
        </Field>
        <Field label={t('an.groupBy')}>
          <Space.Compact>
            <Select
              value={groupKind}
              onChange={(k) => {
                setGroupKind(k);
                setGroupBy(undefined);
              }}
              style={{ width: 100 }}
              options={[
                { value: 'attribute', label: t('an.byAttribute') },
                { value: 'property', label: t('an.byProperty') },
              ]}
            />
            {groupKind === 'attribute' ? (
              <AttributePicker value={groupBy} onChange={setGroupBy} catalogue={catalogue.data} />
            ) : (
              <Select
                value={groupBy}
                onChange={setGroupBy}
                allowClear
                placeholder={t('an.noGroup')}
                style={{ width: 150 }}
                options={allProps.map((p) => ({ value: p, label: p }))}
              />
            )}
          </Space.Compact>
        </Field>
        <Field label={t('an.compare')}>
          <Checkbox checked={compare} onChange={(e) => setCompare(e.target.checked)}>
            {t('an.comparePrevious')}
          </Checkbox>
        </Field>
      </QueryCard>
      <ResultCard
        title={t('an.result')}
        error={result.error}
        hasData={!!data}
        loading={result.loading}
        csv={csv}
        extra={
          <Segmented
            size="small"
            value={chartType}
            onChange={(v) => setChartType(v as 'line' | 'bar')}
            options={[
              { value: 'line', label: t('an.chart.line') },
              { value: 'bar', label: t('an.chart.bar') },
            ]}
          />
        }
      >
        {option && <EChart option={option} height={340} testId="trends-chart" />}
        {data && (
          <Table
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(l) => `${l.series}-${l.group ?? ''}`}
            dataSource={data.lines}
            pagination={false}
            columns={[
              { title: t('an.series'), key: 's', render: (_: unknown, l: TrendLine) => lineName(l) },
              { title: t('an.total'), dataIndex: 'total', align: 'right', render: (v: number) => num(v, 2) },
              ...(data.previous
                ? [
                    {
                      title: t('an.previousTotal'),
                      key: 'prev',
                      align: 'right' as const,
                      render: (_: unknown, l: TrendLine) => {
                        const p = data.previous!.find((x) => x.series === l.series && x.group === l.group);
                        return num(p?.total, 2);
                      },
                    },
                    {
                      title: t('an.change'),
                      key: 'chg',
                      align: 'right' as const,
                      render: (_: unknown, l: TrendLine) => {
                        const p = data.previous!.find((x) => x.series === l.series && x.group === l.group);
                        if (!p || !p.total) return '—';
                        const c = (l.total - p.total) / p.total;
                        return <span style={{ color: c >= 0 ? '#16a34a' : '#dc2626' }}>{`${c >= 0 ? '+' : ''}${(c * 100).toFixed(1)}%`}</span>;
                      },
                    },
                  ]
                : []),
            ]}
          />
        )}
        {groupBy && groupKind === 'attribute' && data && (
          <div style={{ fontSize: 12, color: '#6b7280', marginTop: 8 }}>
            {t('an.groupedBy', { name: attributeLabel(lang, groupBy, catalogue.data) })}
          </div>
        )}
      </ResultCard>
    </>
  );
}

function fmtBucket(b: string, g: Granularity): string {
  if (g === 'hour') return b.slice(5, 16).replace('T', ' ');
  if (g === 'month') return b.slice(0, 7);
  return b.slice(0, 10);
}
