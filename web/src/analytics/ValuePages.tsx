import { InputNumber } from 'antd';
import { useState } from 'react';
import { analyticsApi, type LtvQuery, type RfmQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import { Field, lastDays, QueryCard, RangeField, ResultCard, RunButton, useCatalogue, useRun, type DateRange } from './common';
import { CustomerFilterField } from './filters/CustomerFilterField';
import {
  customersComplete,
  customersFromQuery,
  customersToQuery,
  NO_CUSTOMER_FILTER,
  type CustomerFilterState,
} from './filters/filters';
import { useSavedAnalysis } from './saved/useSavedAnalysis';
import { LtvView } from './views/LtvView';
import { RfmView } from './views/RfmView';

export function LtvPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(365));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const [months, setMonths] = useState(12);
  const [margin, setMargin] = useState(100);
  const result = useRun(analyticsApi.ltv);
  const data = result.data;
  const run = () =>
    result.run({ date_from: range[0], date_to: range[1], customers: customersToQuery(customers), months, margin_bps: margin });
  // Opening a saved analysis (?saved=<id>) puts its query back into the form.
  const saved = useSavedAnalysis('ltv', (q: LtvQuery) => {
    setRange([q.date_from, q.date_to]);
    setCustomers(customersFromQuery(q.customers));
    setMonths(q.months);
    setMargin(q.margin_bps);
  }, result.run);
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!customersComplete(customers)} testId="ltv-run" />}>
        <RangeField value={range} onChange={setRange} />
        <CustomerFilterField catalogue={catalogue.data} value={customers} onChange={setCustomers} />
        <Field label={t('an.ltv.months')}>
          <InputNumber min={1} max={36} value={months} onChange={(v) => setMonths(v ?? 12)} style={{ width: 80 }} />
        </Field>
        <Field label={t('an.ltv.margin')}>
          <InputNumber min={0} max={10000} value={margin} onChange={(v) => setMargin(v ?? 100)} suffix="bp" style={{ width: 110 }} />
        </Field>
      </QueryCard>
      <ResultCard title={t('an.ltv.title')} error={result.error} hasData={!!data} loading={result.loading} model="ltv" query={result.query} saved={saved}>
        {data && result.query && <LtvView data={data} query={result.query} />}
      </ResultCard>
    </>
  );
}

export function RfmPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(90));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const result = useRun(analyticsApi.rfm);
  const data = result.data;
  const run = () => result.run({ date_from: range[0], date_to: range[1], customers: customersToQuery(customers) });
  // Opening a saved analysis (?saved=<id>) puts its query back into the form.
  const saved = useSavedAnalysis('rfm', (q: RfmQuery) => {
    setRange([q.date_from, q.date_to]);
    setCustomers(customersFromQuery(q.customers));
  }, result.run);
  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!customersComplete(customers)} testId="rfm-run" />}>
        <RangeField value={range} onChange={setRange} />
        <CustomerFilterField catalogue={catalogue.data} value={customers} onChange={setCustomers} />
      </QueryCard>
      <ResultCard title={t('an.rfm.title')} error={result.error} hasData={!!data} loading={result.loading} model="rfm" query={result.query} saved={saved}>
        {data && <RfmView data={data} />}
      </ResultCard>
    </>
  );
}
