import { InputNumber, Table, Typography } from 'antd';
import { useState } from 'react';
import { analyticsApi, type RfmSegment } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { formatMoney, formatMoneyShort } from '../common/format';
import { useI18n } from '../i18n';
import { csvName, Field, lastDays, num, QueryCard, RangeField, ResultCard, RunButton, Stat, useRun, type DateRange } from './common';

export function LtvPage() {
  const { t, lang } = useI18n();
  const [range, setRange] = useState<DateRange>(() => lastDays(365));
  const [months, setMonths] = useState(12);
  const [margin, setMargin] = useState(100);
  const result = useRun(analyticsApi.ltv);
  const data = result.data;
  const run = () => result.run({ date_from: range[0], date_to: range[1], months, margin_bps: margin });
  const n = months + 1;
  const cohorts = (data?.cohorts ?? []).slice(-12);
  const option: ChartOption | undefined = data && {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : formatMoney(Number(v))) },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'category', data: Array.from({ length: n }, (_, i) => t('an.ltv.month', { n: i })) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: cohorts.map((c) => ({ type: 'line' as const, name: c.cohort, data: c.values, smooth: true, connectNulls: false })),
  };
  const csv = () => ({
    name: csvName('ltv', range),
    header: [t('an.ret.cohort'), t('an.customersAxis'), ...Array.from({ length: n }, (_, i) => t('an.ltv.month', { n: i }))],
    rows: data!.cohorts.map((c) => [c.cohort, c.customers, ...c.values]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} testId="ltv-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.ltv.months')}>
          <InputNumber min={1} max={36} value={months} onChange={(v) => setMonths(v ?? 12)} style={{ width: 80 }} />
        </Field>
        <Field label={t('an.ltv.margin')}>
          <InputNumber min={0} max={10000} value={margin} onChange={(v) => setMargin(v ?? 100)} suffix="bp" style={{ width: 110 }} />
        </Field>
      </QueryCard>
      <ResultCard title={t('an.ltv.title')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('an.ltv.hint')}
        </Typography.Paragraph>
        {option && <EChart option={option} height={340} testId="ltv-chart" />}
        {data && (
          <Table
            size="small"
            style={{ marginTop: 12 }}
            rowKey="cohort"
            dataSource={data.cohorts}
            pagination={false}
            scroll={{ x: 200 + n * 90 }}
            columns={[
              { title: t('an.ret.cohort'), dataIndex: 'cohort', fixed: 'left', width: 100 },
              { title: t('an.customersAxis'), dataIndex: 'customers', align: 'right', width: 80, render: (v: number) => num(v) },
              ...Array.from({ length: n }, (_, i) => ({
                title: t('an.ltv.month', { n: i }),
                key: `m${i}`,
                align: 'right' as const,
                width: 90,
                render: (_: unknown, c: { values: (number | null)[] }) => (c.values[i] == null ? '' : formatMoneyShort(c.values[i]!, lang)),
              })),
            ]}
          />
        )}
      </ResultCard>
    </>
  );
}

export function RfmPage() {
  const { t } = useI18n();
  const [range, setRange] = useState<DateRange>(() => lastDays(90));
  const result = useRun(analyticsApi.rfm);
  const data = result.data;
  const run = () => result.run({ date_from: range[0], date_to: range[1] });
  const bar: ChartOption | undefined = data && {
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
    yAxis: { type: 'category', inverse: true, data: data.segments.map((s) => s.label) },
    series: [{ type: 'bar', name: t('an.customersAxis'), data: data.segments.map((s) => s.customers), barMaxWidth: 18, label: { show: true, position: 'right' } }],
  };
  const max = Math.max(1, ...(data?.grid ?? []).flat());
  const heat: ChartOption | undefined = data && {
    tooltip: { position: 'top' },
    grid: { left: 48, right: 32, top: 24, bottom: 32 },
    xAxis: { type: 'category', name: 'F', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
    yAxis: { type: 'category', name: 'R', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
    visualMap: { show: false, min: 0, max, inRange: { color: ['#eff6ff', '#1d4ed8'] } },
    series: [
      {
        type: 'heatmap',
        name: t('an.customersAxis'),
        data: data.grid.flatMap((row, r) => row.map((v, f) => [f, r, v])),
        label: { show: true },
      },
    ],
  };
  const csv = () => ({
    name: csvName('rfm', range),
    header: [t('an.rfm.segment'), t('an.customersAxis'), t('an.rfm.recency'), t('an.rfm.frequency'), t('an.rfm.monetary')],
    rows: data!.segments.map((s) => [s.label, s.customers, s.avg_recency_days, s.avg_frequency, s.avg_monetary]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} testId="rfm-run" />}>
        <RangeField value={range} onChange={setRange} />
      </QueryCard>
      <ResultCard title={t('an.rfm.title')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {data && (
          <>
            <div className="mf-an-stats">
              <Stat label={t('an.rfm.active')} value={num(data.customers)} />
              <Stat label={t('an.rfm.inactive')} value={num(data.inactive)} />
            </div>
            <div className="mf-an-two">
              <div>
                <Typography.Text strong>{t('an.rfm.segments')}</Typography.Text>
                {bar && <EChart option={bar} height={300} testId="rfm-chart" />}
              </div>
              <div>
                <Typography.Text strong>{t('an.rfm.grid')}</Typography.Text>
                {heat && <EChart option={heat} height={300} testId="rfm-grid" />}
              </div>
            </div>
            <Table<RfmSegment>
              size="small"
              style={{ marginTop: 12 }}
              rowKey="segment"
              dataSource={data.segments}
              pagination={false}
              columns={[
                { title: t('an.rfm.segment'), dataIndex: 'label' },
                { title: t('an.customersAxis'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
                { title: t('an.rfm.recency'), dataIndex: 'avg_recency_days', align: 'right', render: (v: number) => num(v, 1) },
                { title: t('an.rfm.frequency'), dataIndex: 'avg_frequency', align: 'right', render: (v: number) => num(v, 1) },
                { title: t('an.rfm.monetary'), dataIndex: 'avg_monetary', align: 'right', render: (v: number) => formatMoney(v) },
              ]}
            />
          </>
        )}
      </ResultCard>
    </>
  );
}
