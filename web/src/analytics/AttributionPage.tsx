import { InputNumber, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { analyticsApi, type AttributionRow } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { useI18n } from '../i18n';
import { eventLabel } from '../insight/segments/labels';
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

const MODELS = ['first', 'last', 'linear', 'position', 'time_decay'] as const;

export default function AttributionPage() {
  const { t, lang } = useI18n();
  const catalogue = useCatalogue();
  const name = useEventName(catalogue.data);
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [conversion, setConversion] = useState('');
  const [touches, setTouches] = useState<string[]>([]);
  const [windowDays, setWindowDays] = useState(7);
  const result = useRun(analyticsApi.attribution);
  const data = result.data;
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      conversion: { event: conversion },
      touches: touches.map((event) => ({ event })),
      window_days: windowDays,
    });
  const rowName = (r: AttributionRow) => `${name(r.touch)}${r.value ? ` · ${r.value}` : ''}`;
  const option: ChartOption | undefined = data && {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    xAxis: { type: 'category', data: data.rows.map(rowName) },
    yAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
    series: MODELS.map((m) => ({ type: 'bar' as const, name: t(`an.attr.${m}`), data: data.rows.map((r) => Math.round(r[m] * 100) / 100), barMaxWidth: 18 })),
  };
  const csv = () => ({
    name: csvName('attribution', range),
    header: [t('an.attr.touch'), t('an.attr.touched'), ...MODELS.map((m) => t(`an.attr.${m}`))],
    rows: data!.rows.map((r) => [rowName(r), r.touched_conversions, ...MODELS.map((m) => r[m])]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!conversion || touches.length === 0} testId="attribution-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.attr.conversion')}>
          <EventPicker catalogue={catalogue.data} value={conversion} onChange={setConversion} testId="attribution-conversion" />
        </Field>
        <Field label={t('an.attr.touches')}>
          <Select
            mode="multiple"
            value={touches}
            onChange={setTouches}
            style={{ minWidth: 280 }}
            maxCount={20}
            optionFilterProp="search"
            placeholder={t('seg.pickEvent')}
            options={(catalogue.data?.events ?? []).map((e) => ({ value: e.name, label: eventLabel(lang, e.name, catalogue.data), search: `${e.label} ${e.name}` }))}
            data-testid="attribution-touches"
          />
        </Field>
        <Field label={t('an.attr.window')}>
          <InputNumber min={1} max={90} value={windowDays} onChange={(v) => setWindowDays(v ?? 7)} suffix={t('seg.days')} style={{ width: 100 }} />
        </Field>
      </QueryCard>
      <ResultCard
        title={t('an.result')}
        error={result.error}
        hasData={!!data}
        loading={result.loading}
        csv={csv}
        extra={data && <Typography.Text type="secondary">{t('an.attr.summary', { c: num(data.conversions), a: num(data.attributed) })}</Typography.Text>}
      >
        {option && <EChart option={option} height={320} testId="attribution-chart" />}
        {data && (
          <Table<AttributionRow>
            style={{ marginTop: 12 }}
            size="small"
            rowKey={(r) => `${r.touch}-${r.value ?? ''}`}
            dataSource={data.rows}
            pagination={false}
            columns={[
              { title: t('an.attr.touch'), key: 'touch', render: (_: unknown, r) => rowName(r) },
              { title: t('an.attr.touched'), dataIndex: 'touched_conversions', align: 'right', render: (v: number) => num(v) },
              ...MODELS.map((m) => ({ title: t(`an.attr.${m}`), dataIndex: m, align: 'right' as const, render: (v: number) => num(v, 2) })),
            ]}
          />
        )}
      </ResultCard>
    </>
  );
}
