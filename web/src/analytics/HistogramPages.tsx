import { Select, Space, Table } from 'antd';
import { useState } from 'react';
import { analyticsApi, type HistogramBucket } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { useI18n } from '../i18n';
import {
  csvName,
  EventPicker,
  Field,
  formatSeconds,
  lastDays,
  num,
  QueryCard,
  RangeField,
  ResultCard,
  RunButton,
  Stat,
  useCatalogue,
  useRun,
  type DateRange,
} from './common';

function Histogram({ buckets, testId, label, axis }: { buckets: HistogramBucket[]; testId: string; label: (b: HistogramBucket) => string; axis: string }) {
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: buckets.map(label), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', name: axis, splitLine: { lineStyle: { type: 'dashed' } } },
    series: [{ type: 'bar', name: axis, data: buckets.map((b) => b.customers), barCategoryGap: '8%' }],
  };
  return <EChart option={option} height={300} testId={testId} />;
}

function EdgesInput({ value, onChange }: { value: number[]; onChange: (v: number[]) => void }) {
  const { t } = useI18n();
  return (
    <Select
      mode="tags"
      value={value.map(String)}
      onChange={(v: string[]) => {
        const nums = [...new Set(v.map(Number).filter((n) => Number.isFinite(n)))].sort((a, b) => a - b);
        onChange(nums);
      }}
      tokenSeparators={[',', '，', ' ']}
      style={{ minWidth: 200 }}
      placeholder={t('an.dist.edgesHint')}
      open={false}
    />
  );
}

export function DistributionPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [event, setEvent] = useState('');
  const [measure, setMeasure] = useState<'count' | 'sum' | 'days'>('count');
  const [property, setProperty] = useState<string>();
  const [edges, setEdges] = useState<number[]>([1, 2, 4, 8, 16]);
  const result = useRun(analyticsApi.distribution);
  const data = result.data;
  const numeric = (catalogue.data?.events.find((e) => e.name === event)?.properties ?? []).filter((p) => p.type === 'number');
  const run = () =>
    result.run({ date_from: range[0], date_to: range[1], event: { event }, measure, property: measure === 'sum' ? property : null, edges });
  const csv = () => ({
    name: csvName('distribution', range),
    header: [t('an.bucket'), t('an.customersAxis')],
    rows: data!.buckets.map((b) => [b.label, b.customers]),
  });
  return (
    <>
      <QueryCard
        actions={<RunButton onClick={run} loading={result.loading} disabled={!event || edges.length === 0 || (measure === 'sum' && !property)} testId="distribution-run" />}
      >
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.event')}>
          <EventPicker catalogue={catalogue.data} value={event} onChange={setEvent} testId="distribution-event" />
        </Field>
        <Field label={t('an.dist.measure')}>
          <Space.Compact>
            <Select
              value={measure}
              onChange={setMeasure}
              style={{ width: 120 }}
              options={(['count', 'days', 'sum'] as const).map((m) => ({ value: m, label: t(`an.dist.${m}`) }))}
            />
            {measure === 'sum' && (
              <Select value={property} onChange={setProperty} placeholder={t('seg.pickProperty')} style={{ width: 130 }} options={numeric.map((p) => ({ value: p.key, label: p.key }))} />
            )}
          </Space.Compact>
        </Field>
        <Field label={t('an.dist.edges')}>
          <EdgesInput value={edges} onChange={setEdges} />
        </Field>
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {data && (
          <>
            <div className="mf-an-stats">
              <Stat label={t('an.dist.customers')} value={num(data.customers)} />
              <Stat label={t('an.dist.without')} value={num(data.customers_without)} />
              <Stat label={t('an.mean')} value={num(data.mean, 2)} />
              <Stat label={t('an.median')} value={num(data.median, 2)} />
              <Stat label="P90" value={num(data.p90, 2)} />
            </div>
            <Histogram buckets={data.buckets} testId="distribution-chart" label={(b) => b.label} axis={t('an.customersAxis')} />
          </>
        )}
      </ResultCard>
    </>
  );
}

export function IntervalPage() {
  const { t, lang } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [first, setFirst] = useState('');
  const [then, setThen] = useState('');
  const result = useRun(analyticsApi.interval);
  const data = result.data;
  const run = () => result.run({ date_from: range[0], date_to: range[1], first: { event: first }, then: { event: then } });
  const bucketLabel = (b: HistogramBucket) =>
    b.lower == null ? `< ${formatSeconds(b.upper, lang)}` : b.upper == null ? `≥ ${formatSeconds(b.lower, lang)}` : `${formatSeconds(b.lower, lang)} – ${formatSeconds(b.upper, lang)}`;
  const csv = () => ({
    name: csvName('interval', range),
    header: [t('an.bucket'), t('an.int.lowerSeconds'), t('an.int.upperSeconds'), t('an.int.pairs')],
    rows: data!.buckets.map((b) => [bucketLabel(b), b.lower, b.upper, b.customers]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!first || !then} testId="interval-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.int.first')}>
          <EventPicker catalogue={catalogue.data} value={first} onChange={setFirst} testId="interval-first" />
        </Field>
        <Field label={t('an.int.then')}>
          <EventPicker catalogue={catalogue.data} value={then} onChange={setThen} testId="interval-then" />
        </Field>
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {data && (
          <>
            <div className="mf-an-stats">
              <Stat label={t('an.int.pairs')} value={num(data.pairs)} />
              <Stat label={t('an.dist.customers')} value={num(data.customers)} />
              <Stat label={t('an.mean')} value={formatSeconds(data.mean_seconds, lang)} />
              <Stat label={t('an.median')} value={formatSeconds(data.median_seconds, lang)} />
              <Stat label="P90" value={formatSeconds(data.p90_seconds, lang)} />
            </div>
            <Histogram buckets={data.buckets} testId="interval-chart" label={bucketLabel} axis={t('an.int.pairs')} />
            <Table
              size="small"
              style={{ marginTop: 12 }}
              rowKey="label"
              pagination={false}
              dataSource={data.buckets}
              columns={[
                { title: t('an.bucket'), key: 'b', render: (_: unknown, b: HistogramBucket) => bucketLabel(b) },
                { title: t('an.int.pairs'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
              ]}
            />
          </>
        )}
      </ResultCard>
    </>
  );
}
