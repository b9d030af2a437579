import { Checkbox, InputNumber, Select } from 'antd';
import { useState } from 'react';
import { analyticsApi, type EventSpec, type Period, type RetentionQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import { Field } from './common';
import { EventSpecPicker } from './filters/EventSpecPicker';
import { eventSpec, propertyFiltersComplete } from './filters/filters';
import { AnalysisLayout, useAnalysisPage } from './page';
import { RetentionView } from './views/RetentionView';

export default function RetentionPage() {
  const { t } = useI18n();
  const [initial, setInitial] = useState<EventSpec>({ event: '' });
  const [returning, setReturning] = useState<EventSpec>({ event: '' });
  const [period, setPeriod] = useState<Period>('day');
  const [periods, setPeriods] = useState(7);
  const [firstTime, setFirstTime] = useState(false);
  const page = useAnalysisPage('retention', analyticsApi.retention, (q: RetentionQuery) => {
    setInitial(q.initial);
    setReturning(q.returning);
    setPeriod(q.period);
    setPeriods(q.periods);
    setFirstTime(q.first_time);
  });
  const { catalogue, result } = page;
  const data = result.data;
  const run = () =>
    result.run({
      ...page.base,
      initial: eventSpec(initial.event, initial.filters, catalogue.data),
      returning: eventSpec(returning.event, returning.filters, catalogue.data),
      period,
      periods,
      first_time: firstTime,
    });
  const ready =
    !!initial.event && !!returning.event && propertyFiltersComplete(initial.filters) && propertyFiltersComplete(returning.filters);
  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      ready={ready}
      runTestId="retention-run"
      fields={
        <>
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
        </>
      }
    >
      {data && result.query && <RetentionView data={data} query={result.query} />}
    </AnalysisLayout>
  );
}
