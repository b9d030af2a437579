import { Checkbox, InputNumber, Select, Table } from 'antd';
import { useState } from 'react';
import { analyticsApi, type Cohort, type Period } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { useI18n } from '../i18n';
import {
  csvName,
  EventPicker,
  Field,
  lastDays,
  num,
  pct,
  QueryCard,
  RangeField,
  ResultCard,
  RunButton,
  useCatalogue,
  useRun,
  type DateRange,
} from './common';

/** Background of a retention cell: deeper blue for higher rates. */
function heat(rate: number | null): React.CSSProperties {
  if (rate == null) return {};
  const a = Math.min(1, Math.max(0.06, rate));
  return { background: `rgba(29, 78, 216, ${a * 0.85})`, color: a > 0.45 ? '#fff' : '#111827' };
}

export default function RetentionPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [initial, setInitial] = useState('');
  const [returning, setReturning] = useState('');
  const [period, setPeriod] = useState<Period>('day');
  const [periods, setPeriods] = useState(7);
  const [firstTime, setFirstTime] = useState(false);
  const result = useRun(analyticsApi.retention);
  const data = result.data;
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      initial: { event: initial },
      returning: { event: returning },
      period,
      periods,
      first_time: firstTime,
    });
  const n = (data?.periods ?? periods) + 1;
  const label = (i: number) => (i === 0 ? t('an.ret.same', { unit: t(`an.gran.${period}`) }) : t('an.ret.after', { n: i, unit: t(`an.gran.${period}`) }));
  const option: ChartOption | undefined = data && {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => pct(Number(v)) },
    xAxis: { type: 'category', data: Array.from({ length: n }, (_, i) => label(i)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: [{ type: 'line', name: t('an.ret.average'), data: data.average.map((x) => x ?? null), smooth: true }],
  };
  const csv = () => ({
    name: csvName('retention', range),
    header: [t('an.ret.cohort'), t('an.ret.size'), ...Array.from({ length: n }, (_, i) => label(i))],
    rows: data!.cohorts.map((c) => [c.cohort, c.size, ...c.rates]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!initial || !returning} testId="retention-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.ret.initial')}>
          <EventPicker catalogue={catalogue.data} value={initial} onChange={setInitial} testId="retention-initial" />
        </Field>
        <Field label={t('an.ret.returning')}>
          <EventPicker catalogue={catalogue.data} value={returning} onChange={setReturning} testId="retention-returning" />
        </Field>
        <Field label={t('an.ret.period')}>
          <Select value={period} onChange={setPeriod} style={{ width: 80 }} options={(['day', 'week', 'month'] as const).map((p) => ({ value: p, label: t(`an.gran.${p}`) }))} />
        </Field>
        <Field label={t('an.ret.periods')}>
          <InputNumber min={1} max={60} value={periods} onChange={(v) => setPeriods(v ?? 7)} style={{ width: 80 }} />
        </Field>
        <Field label=" ">
          <Checkbox checked={firstTime} onChange={(e) => setFirstTime(e.target.checked)}>
            {t('an.ret.firstTime')}
          </Checkbox>
        </Field>
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {option && <EChart option={option} height={220} testId="retention-chart" />}
        {data && (
          <Table<Cohort>
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(c) => `${c.cohort}-${c.group ?? ''}`}
            dataSource={data.cohorts}
            pagination={false}
            scroll={{ x: 200 + n * 80 }}
            className="mf-heat-table"
            data-testid="retention-table"
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>{t('an.ret.average')}</Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right">
                  {num(data.cohorts.reduce((s, c) => s + c.size, 0))}
                </Table.Summary.Cell>
                {data.average.map((r, i) => (
                  <Table.Summary.Cell key={i} index={i + 2} align="right">
                    <strong>{pct(r)}</strong>
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )}
            columns={[
              { title: t('an.ret.cohort'), dataIndex: 'cohort', fixed: 'left', width: 110, render: (c: string) => c.slice(0, 10) },
              { title: t('an.ret.size'), dataIndex: 'size', align: 'right', width: 80, render: (v: number) => num(v) },
              ...Array.from({ length: n }, (_, i) => ({
                title: label(i),
                key: `p${i}`,
                align: 'right' as const,
                width: 80,
                onCell: (c: Cohort) => ({ style: heat(c.rates[i] ?? null) }),
                render: (_: unknown, c: Cohort) => (c.rates[i] == null ? '' : pct(c.rates[i])),
              })),
            ]}
          />
        )}
      </ResultCard>
    </>
  );
}
