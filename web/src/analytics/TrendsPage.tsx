import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Segmented, Select, Space } from 'antd';
import { useMemo, useState } from 'react';
import { analyticsApi, type Granularity, type TrendMeasure, type TrendSeries, type TrendsQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import { AttributePicker, EventPicker, Field } from './common';
import { eventSpec, propertyFiltersComplete } from './filters/filters';
import { PropertyFiltersField } from './filters/PropertyFiltersField';
import { AnalysisLayout, useAnalysisPage } from './page';
import { TrendsView, type TrendsChartType } from './views/TrendsView';

const MEASURES: TrendMeasure[] = ['total', 'uniques', 'per_customer', 'sum', 'avg', 'max'];

export default function TrendsPage() {
  const { t } = useI18n();
  const [series, setSeries] = useState<TrendSeries[]>([{ event: '', measure: 'total' }]);
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [groupKind, setGroupKind] = useState<'attribute' | 'property'>('attribute');
  const [groupBy, setGroupBy] = useState<string>();
  const [compare, setCompare] = useState(true);
  const [chartType, setChartType] = useState<TrendsChartType>('line');
  const page = useAnalysisPage('trends', analyticsApi.trends, (q: TrendsQuery) => {
    setSeries(q.series);
    setGranularity(q.granularity);
    setGroupKind(q.group_by?.kind ?? 'attribute');
    setGroupBy(q.group_by?.name);
    setCompare(q.compare_previous);
  });
  const { catalogue, result } = page;

  const ready = series.every(
    (s) => s.event && (!['sum', 'avg', 'max'].includes(s.measure) || s.property) && propertyFiltersComplete(s.filters),
  );
  const run = () =>
    result.run({
      ...page.base,
      series: series.map((s) => ({
        ...s,
        ...eventSpec(s.event, s.filters, catalogue.data),
        property: ['sum', 'avg', 'max'].includes(s.measure) ? s.property : null,
      })),
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

  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      ready={ready}
      runTestId="trends-run"
      extra={
        <Segmented
          size="small"
          value={chartType}
          onChange={(v) => setChartType(v as TrendsChartType)}
          options={[
            { value: 'line', label: t('an.chart.line') },
            { value: 'bar', label: t('an.chart.bar') },
          ]}
        />
      }
      fields={
        <>
          <Field label={t('an.series')}>
            <Space orientation="vertical" size={4}>
              {series.map((s, i) => {
                const set = (patch: Partial<TrendSeries>) => setSeries(series.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                return (
                  <div key={i} className="mf-an-event-block">
                    <Space size={4} wrap>
                      <EventPicker catalogue={catalogue.data} value={s.event} onChange={(event) => set({ event, property: null, filters: [] })} testId={`trends-event-${i}`} />
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
                    <PropertyFiltersField catalogue={catalogue.data} event={s.event} value={s.filters} onChange={(filters) => set({ filters })} index={i} />
                  </div>
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
        </>
      }
    >
      {data && result.query && <TrendsView data={data} query={result.query} catalogue={catalogue.data} chartType={chartType} />}
    </AnalysisLayout>
  );
}
