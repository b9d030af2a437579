import { Select, Space, Table } from 'antd';
import { useState } from 'react';
import { analyticsApi, ANALYTICS_ATTRIBUTES, type Dimension, type PropertyCell } from '../api/analytics';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { formatMoney, formatMoneyShort } from '../common/format';
import { useI18n } from '../i18n';
import { attributeLabel } from '../insight/segments/labels';
import { csvName, Field, num, pct, QueryCard, ResultCard, RunButton, useCatalogue, useRun } from './common';

const AGE_EDGES = [25, 35, 45, 55, 65];
const AUM_EDGES = [50_000, 500_000, 6_000_000];

function DimensionPicker({ value, onChange, allowClear, testId }: { value?: string; onChange: (v?: string) => void; allowClear?: boolean; testId: string }) {
  const { t, lang } = useI18n();
  const catalogue = useCatalogue();
  return (
    <span data-testid={testId} className="mf-cond-field">
      <Select
        value={value}
        onChange={onChange}
        allowClear={allowClear}
        placeholder={t('an.prop.none')}
        style={{ width: 200 }}
        showSearch
        optionFilterProp="label"
        options={[
          { label: t('an.prop.attributes'), options: ANALYTICS_ATTRIBUTES.map((a) => ({ value: `a:${a}`, label: attributeLabel(lang, a, catalogue.data) })) },
          { label: t('an.prop.tags'), options: (catalogue.data?.tags ?? []).map((tg) => ({ value: `t:${tg.key}`, label: tg.name })) },
        ]}
      />
    </span>
  );
}

function toDimension(v: string): Dimension {
  const [kind, key] = [v.slice(0, 1), v.slice(2)];
  if (kind === 't') return { tag: key };
  if (key === 'age') return { attribute: key, edges: AGE_EDGES };
  if (key === 'aum') return { attribute: key, edges: AUM_EDGES };
  return { attribute: key };
}

export default function PropertiesPage() {
  const { t, lang } = useI18n();
  const [d1, setD1] = useState<string>('a:tier');
  const [d2, setD2] = useState<string>();
  const result = useRun(analyticsApi.properties);
  const data = result.data;
  const run = () => result.run({ dimensions: [d1, ...(d2 ? [d2] : [])].map(toDimension), limit: 100 });
  const cellName = (c: PropertyCell) => c.values.map((v) => v ?? t('seg.comp.unknown')).join(' / ');
  const top = (data?.cells ?? []).slice(0, 30);
  const option: ChartOption | undefined = data && {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    xAxis: { type: 'category', data: top.map(cellName), axisLabel: { interval: 0, rotate: top.length > 8 ? 30 : 0 } },
    yAxis: [
      { type: 'value', name: t('an.customersAxis'), splitLine: { lineStyle: { type: 'dashed' } } },
      { type: 'value', name: 'AUM', axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) }, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: t('an.customersAxis'), data: top.map((c) => c.customers), barMaxWidth: 32 },
      { type: 'line', name: 'AUM', yAxisIndex: 1, data: top.map((c) => Math.round(c.aum)) },
    ],
  };
  const csv = () => ({
    name: csvName('properties'),
    header: [t('an.prop.value'), t('an.customersAxis'), t('an.prop.share'), 'AUM'],
    rows: data!.cells.map((c) => [cellName(c), c.customers, c.share, c.aum]),
  });
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} testId="properties-run" />}>
        <Field label={t('an.prop.dim1')}>
          <DimensionPicker value={d1} onChange={(v) => v && setD1(v)} testId="properties-dim-0" />
        </Field>
        <Field label={t('an.prop.dim2')}>
          <Space>
            <DimensionPicker value={d2} onChange={setD2} allowClear testId="properties-dim-1" />
          </Space>
        </Field>
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {option && <EChart option={option} height={320} testId="properties-chart" />}
        {data && (
          <Table<PropertyCell>
            size="small"
            style={{ marginTop: 12 }}
            rowKey={(c) => c.values.join('\u0001')}
            dataSource={data.cells}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('an.prop.value'), key: 'v', render: (_: unknown, c) => cellName(c) },
              { title: t('an.customersAxis'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
              { title: t('an.prop.share'), dataIndex: 'share', align: 'right', render: (v: number) => pct(v) },
              { title: 'AUM', dataIndex: 'aum', align: 'right', render: (v: number) => formatMoney(v, 0) },
            ]}
          />
        )}
      </ResultCard>
    </>
  );
}
