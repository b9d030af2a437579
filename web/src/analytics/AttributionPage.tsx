import { InputNumber, Select, Typography } from 'antd';
import { useState } from 'react';
import { analyticsApi, type AttributionQuery, type EventSpec } from '../api/analytics';
import { useI18n } from '../i18n';
import { eventLabel } from '../insight/segments/labels';
import { Field } from './common';
import { EventSpecPicker } from './filters/EventSpecPicker';
import { eventSpec, propertiesOf, propertyFiltersComplete } from './filters/filters';
import { PropertyFiltersField } from './filters/PropertyFiltersField';
import { AnalysisLayout, useAnalysisPage } from './page';
import { AttributionView } from './views/AttributionView';

export default function AttributionPage() {
  const { t, lang } = useI18n();
  const [conversion, setConversion] = useState<EventSpec>({ event: '' });
  const [touches, setTouches] = useState<EventSpec[]>([]);
  const [windowDays, setWindowDays] = useState(7);
  const page = useAnalysisPage('attribution', analyticsApi.attribution, (q: AttributionQuery) => {
    setConversion(q.conversion);
    setTouches(q.touches);
    setWindowDays(q.window_days);
  });
  const { catalogue, result } = page;
  const data = result.data;
  const run = () =>
    result.run({
      ...page.base,
      conversion: eventSpec(conversion.event, conversion.filters, catalogue.data),
      touches: touches.map((x) => eventSpec(x.event, x.filters, catalogue.data)),
      window_days: windowDays,
    });
  const ready =
    !!conversion.event &&
    touches.length > 0 &&
    propertyFiltersComplete(conversion.filters) &&
    touches.every((x) => propertyFiltersComplete(x.filters));
  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      ready={ready}
      runTestId="attribution-run"
      fields={
        <>
          <Field label={t('an.attr.conversion')}>
            <EventSpecPicker catalogue={catalogue.data} value={conversion} onChange={setConversion} testId="attribution-conversion" index={0} />
          </Field>
          <Field label={t('an.attr.touches')}>
            <div className="mf-an-event-block">
              <Select
                mode="multiple"
                value={touches.map((x) => x.event)}
                // Touches kept in the choice keep their filters.
                onChange={(names: string[]) => setTouches(names.map((event) => touches.find((x) => x.event === event) ?? { event }))}
                style={{ minWidth: 280 }}
                maxCount={20}
                optionFilterProp="search"
                placeholder={t('seg.pickEvent')}
                options={(catalogue.data?.events ?? []).map((e) => ({ value: e.name, label: eventLabel(lang, e.name, catalogue.data), search: `${e.label} ${e.name}` }))}
                data-testid="attribution-touches"
              />
              {touches.map((x, i) => propertiesOf(catalogue.data, x.event).length > 0 && (
                <div key={x.event} className="mf-an-touch-filters">
                  <Typography.Text type="secondary" className="mf-an-prop-and">
                    {eventLabel(lang, x.event, catalogue.data)}
                  </Typography.Text>
                  <PropertyFiltersField
                    catalogue={catalogue.data}
                    event={x.event}
                    value={x.filters}
                    onChange={(filters) => setTouches(touches.map((y, j) => (j === i ? { ...y, filters } : y)))}
                    index={`t${i}`}
                  />
                </div>
              ))}
            </div>
          </Field>
          <Field label={t('an.attr.window')}>
            <InputNumber min={1} max={90} value={windowDays} onChange={(v) => setWindowDays(v ?? 7)} suffix={t('seg.days')} style={{ width: 100 }} />
          </Field>
        </>
      }
    >
      {data && <AttributionView data={data} catalogue={catalogue.data} />}
    </AnalysisLayout>
  );
}
