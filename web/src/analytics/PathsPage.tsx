import { InputNumber, Select, Space } from 'antd';
import { useState } from 'react';
import { analyticsApi, type EventSpec, type PathsQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import {
  EventPicker,
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
import {
  customersComplete,
  customersFromQuery,
  customersToQuery,
  eventSpec,
  NO_CUSTOMER_FILTER,
  propertyFiltersComplete,
  type CustomerFilterState,
} from './filters/filters';
import { PropertyFiltersField } from './filters/PropertyFiltersField';
import { useSavedAnalysis } from './saved/useSavedAnalysis';
import { PathsView } from './views/PathsView';

export default function PathsPage() {
  const { t } = useI18n();
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const [anchor, setAnchor] = useState<EventSpec>({ event: '' });
  const [direction, setDirection] = useState<'starting' | 'ending'>('starting');
  const [depth, setDepth] = useState(4);
  const [gap, setGap] = useState(30);
  const result = useRun(analyticsApi.paths);
  const data = result.data;
  // Opening a saved analysis (?saved=<id>) puts its query back into the form.
  const saved = useSavedAnalysis('paths', (q: PathsQuery) => {
    setRange([q.date_from, q.date_to]);
    setCustomers(customersFromQuery(q.customers));
    setAnchor(q.anchor);
    setDirection(q.direction);
    setDepth(q.depth);
    setGap(q.session_gap_minutes);
  }, result.run);
  const run = () =>
    result.run({
      date_from: range[0],
      date_to: range[1],
      customers: customersToQuery(customers),
      anchor: eventSpec(anchor.event, anchor.filters, catalogue.data),
      direction,
      depth,
      session_gap_minutes: gap,
      top: 20,
    });
  const ready = !!anchor.event && propertyFiltersComplete(anchor.filters) && customersComplete(customers);

  return (
    <>
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} disabled={!ready} testId="paths-run" />}>
        <RangeField value={range} onChange={setRange} />
        <CustomerFilterField catalogue={catalogue.data} value={customers} onChange={setCustomers} />
        <Field label={t('an.paths.anchor')}>
          <div className="mf-an-event-block">
            <Space.Compact>
            <Select
              value={direction}
              onChange={setDirection}
              style={{ width: 100 }}
              options={[
                { value: 'starting', label: t('an.paths.starting') },
                { value: 'ending', label: t('an.paths.ending') },
              ]}
            />
            <EventPicker catalogue={catalogue.data} value={anchor.event} onChange={(event) => setAnchor({ event, filters: [] })} testId="paths-anchor" />
            </Space.Compact>
            <PropertyFiltersField catalogue={catalogue.data} event={anchor.event} value={anchor.filters} onChange={(filters) => setAnchor({ ...anchor, filters })} index={0} />
          </div>
        </Field>
        <Field label={t('an.paths.depth')}>
          <InputNumber min={2} max={10} value={depth} onChange={(v) => setDepth(v ?? 4)} style={{ width: 70 }} />
        </Field>
        <Field label={t('an.paths.gap')}>
          <InputNumber min={1} max={1440} value={gap} onChange={(v) => setGap(v ?? 30)} suffix={t('an.unit.minute')} style={{ width: 110 }} />
        </Field>
      </QueryCard>
      <ResultCard
        title={t('an.result')}
        error={result.error}
        hasData={!!data}
        loading={result.loading}
        model="paths"
        query={result.query}
        saved={saved}
      >
        {data && <PathsView data={data} catalogue={catalogue.data} />}
      </ResultCard>
    </>
  );
}
