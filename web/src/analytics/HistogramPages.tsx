import { Select, Space } from 'antd';
import { useState } from 'react';
import { analyticsApi, type DistributionQuery, type EventSpec, type IntervalQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import {
  Field,
  lastDays,
  QueryCard,
  RangeField,
  ResultCard,
  RunButton,
  useCatalogue,
  useRun,
  type DateRange,
} from './common';
import { CustomerFilterField } from './filters/CustomerFilterField';
import { EventSpecPicker } from './filters/EventSpecPicker';
import {
  customersComplete,
  customersFromQuery,
  customersToQuery,
  eventSpec,
  NO_CUSTOMER_FILTER,
  propertyFiltersComplete,
  type CustomerFilterState,
} from './filters/filters';
import { useSavedAnalysis } from './saved/useSavedAnalysis';
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
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const [event, setEvent] = useState<EventSpec>({ event: '' });
  const [measure, setMeasure] = useState<'count' | 'sum' | 'days'>('count');
  const [property, setProperty] = useState<string>();
  const [edges, setEdges] = useState<number[]>([1, 2, 4, 8, 16]);
  const result = useRun(analyticsApi.distribution);
  const data = result.data;
  const numeric = (catalogue.data?.events.find((e) => e.name === event.event)?.properties ?? []).filter((p) => p.type === 'number');
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      customers: customersToQuery(customers),
      event: eventSpec(event.event, event.filters, catalogue.data),
      measure,
      property: measure === 'sum' ? property : null,
      edges,
    });
  const ready =
    !!event.event &&
    edges.length > 0 &&
    (measure !== 'sum' || !!property) &&
    propertyFiltersComplete(event.filters) &&
    customersComplete(customers);
  // Opening a saved analysis (?saved=<id>) puts its query back into the form.
  const saved = useSavedAnalysis('distribution', (q: DistributionQuery) => {
    setRange([q.date_from, q.date_to]);
    setCustomers(customersFromQuery(q.customers));
    setEvent(q.event);
    setMeasure(q.measure);
    setProperty(q.property ?? undefined);
    setEdges(q.edges);
  }, result.run);
  return (
    <>
      <QueryCard
        actions={<RunButton onClick={run} loading={result.loading} disabled={!ready} testId="distribution-run" />}
      >
        <RangeField value={range} onChange={setRange} />
        <CustomerFilterField catalogue={catalogue.data} value={customers} onChange={setCustomers} />
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
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} model="distribution" query={result.query} saved={saved}>
        {data && <DistributionView data={data} />}
      </ResultCard>
    </>
  );
}

export function IntervalPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const [first, setFirst] = useState<EventSpec>({ event: '' });
  const [then, setThen] = useState<EventSpec>({ event: '' });
  const result = useRun(analyticsApi.interval);
  const data = result.data;
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      customers: customersToQuery(customers),
      first: eventSpec(first.event, first.filters, catalogue.data),
      then: eventSpec(then.event, then.filters, catalogue.data),
    });
  const ready =
    !!first.event && !!then.event && propertyFiltersComplete(first.filters) && propertyFiltersComplete(then.filters) && customersComplete(customers);
  // Opening a saved analysis (?saved=<id>) puts its query back into the form.
  const saved = useSavedAnalysis('interval', (q: IntervalQuery) => {
    setRange([q.date_from, q.date_to]);
    setCustomers(customersFromQuery(q.customers));
    setFirst(q.first);
    setThen(q.then);
  }, result.run);
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!ready} testId="interval-run" />}>
        <RangeField value={range} onChange={setRange} />
        <CustomerFilterField catalogue={catalogue.data} value={customers} onChange={setCustomers} />
        <Field label={t('an.int.first')}>
          <EventSpecPicker catalogue={catalogue.data} value={first} onChange={setFirst} testId="interval-first" index={0} />
        </Field>
        <Field label={t('an.int.then')}>
          <EventSpecPicker catalogue={catalogue.data} value={then} onChange={setThen} testId="interval-then" index={1} />
        </Field>
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} model="interval" query={result.query} saved={saved}>
        {data && <IntervalView data={data} />}
      </ResultCard>
    </>
  );
}
