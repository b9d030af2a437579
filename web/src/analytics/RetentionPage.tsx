import { Checkbox, InputNumber, Select } from 'antd';
import { useState } from 'react';
import { analyticsApi, type EventSpec, type Period, type RetentionQuery } from '../api/analytics';
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
import { RetentionView } from './views/RetentionView';

export default function RetentionPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const [initial, setInitial] = useState<EventSpec>({ event: '' });
  const [returning, setReturning] = useState<EventSpec>({ event: '' });
  const [period, setPeriod] = useState<Period>('day');
  const [periods, setPeriods] = useState(7);
  const [firstTime, setFirstTime] = useState(false);
  const result = useRun(analyticsApi.retention);
  const data = result.data;
  // Opening a saved analysis (?saved=<id>) puts its query back into the form.
  const saved = useSavedAnalysis('retention', (q: RetentionQuery) => {
    setRange([q.date_from, q.date_to]);
    setCustomers(customersFromQuery(q.customers));
    setInitial(q.initial);
    setReturning(q.returning);
    setPeriod(q.period);
    setPeriods(q.periods);
    setFirstTime(q.first_time);
  }, result.run);
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      customers: customersToQuery(customers),
      initial: eventSpec(initial.event, initial.filters, catalogue.data),
      returning: eventSpec(returning.event, returning.filters, catalogue.data),
      period,
      periods,
      first_time: firstTime,
    });
  const ready =
    !!initial.event &&
    !!returning.event &&
    propertyFiltersComplete(initial.filters) &&
    propertyFiltersComplete(returning.filters) &&
    customersComplete(customers);
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!ready} testId="retention-run" />}>
        <RangeField value={range} onChange={setRange} />
        <CustomerFilterField catalogue={catalogue.data} value={customers} onChange={setCustomers} />
        <Field label={t('an.ret.initial')}>
          <EventSpecPicker catalogue={catalogue.data} value={initial} onChange={setInitial} testId="retention-initial" index={0} />
        </Field>
        <Field label={t('an.ret.returning')}>
          <EventSpecPicker catalogue={catalogue.data} value={returning} onChange={setReturning} testId="retention-returning" index={1} />
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
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} model="retention" query={result.query} saved={saved}>
        {data && result.query && <RetentionView data={data} query={result.query} />}
      </ResultCard>
    </>
  );
}
