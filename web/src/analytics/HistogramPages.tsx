import { Select, Space } from 'antd';
import { useState } from 'react';
import { analyticsApi, type DistributionQuery, type EventSpec, type IntervalQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import { Field } from './common';
import { EventSpecPicker } from './filters/EventSpecPicker';
import { eventSpec, propertyFiltersComplete } from './filters/filters';
import { AnalysisLayout, useAnalysisPage } from './page';
import { DistributionView } from './views/DistributionView';
import { IntervalView } from './views/IntervalView';

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
  const [event, setEvent] = useState<EventSpec>({ event: '' });
  const [measure, setMeasure] = useState<'count' | 'sum' | 'days'>('count');
  const [property, setProperty] = useState<string>();
  const [edges, setEdges] = useState<number[]>([1, 2, 4, 8, 16]);
  const page = useAnalysisPage('distribution', analyticsApi.distribution, (q: DistributionQuery) => {
    setEvent(q.event);
    setMeasure(q.measure);
    setProperty(q.property ?? undefined);
    setEdges(q.edges);
  });
  const { catalogue, result } = page;
  const data = result.data;
  const numeric = (catalogue.data?.events.find((e) => e.name === event.event)?.properties ?? []).filter((p) => p.type === 'number');
  const run = () =>
    result.run({
      ...page.base,
      event: eventSpec(event.event, event.filters, catalogue.data),
      measure,
      property: measure === 'sum' ? property : null,
      edges,
    });
  const ready = !!event.event && edges.length > 0 && (measure !== 'sum' || !!property) && propertyFiltersComplete(event.filters);
  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      ready={ready}
      runTestId="distribution-run"
      fields={
        <>
          <Field label={t('an.event')}>
            <EventSpecPicker
              catalogue={catalogue.data}
              value={event}
              onChange={(next) => {
                setEvent(next);
                if (next.event !== event.event) setProperty(undefined);
              }}
              testId="distribution-event"
              index={0}
            />
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
        </>
      }
    >
      {data && <DistributionView data={data} />}
    </AnalysisLayout>
  );
}

export function IntervalPage() {
  const { t } = useI18n();
  const [first, setFirst] = useState<EventSpec>({ event: '' });
  const [then, setThen] = useState<EventSpec>({ event: '' });
  const page = useAnalysisPage('interval', analyticsApi.interval, (q: IntervalQuery) => {
    setFirst(q.first);
    setThen(q.then);
  });
  const { catalogue, result } = page;
  const data = result.data;
  const run = () =>
    result.run({
      ...page.base,
      first: eventSpec(first.event, first.filters, catalogue.data),
      then: eventSpec(then.event, then.filters, catalogue.data),
    });
  const ready = !!first.event && !!then.event && propertyFiltersComplete(first.filters) && propertyFiltersComplete(then.filters);
  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      ready={ready}
      runTestId="interval-run"
      fields={
        <>
          <Field label={t('an.int.first')}>
            <EventSpecPicker catalogue={catalogue.data} value={first} onChange={setFirst} testId="interval-first" index={0} />
          </Field>
          <Field label={t('an.int.then')}>
            <EventSpecPicker catalogue={catalogue.data} value={then} onChange={setThen} testId="interval-then" index={1} />
          </Field>
        </>
      }
    >
      {data && <IntervalView data={data} />}
    </AnalysisLayout>
  );
}
