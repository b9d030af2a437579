import { InputNumber, Select, Space } from 'antd';
import { useState } from 'react';
import { analyticsApi, type EventSpec, type PathsQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import { EventPicker, Field } from './common';
import { eventSpec, propertyFiltersComplete } from './filters/filters';
import { PropertyFiltersField } from './filters/PropertyFiltersField';
import { AnalysisLayout, useAnalysisPage } from './page';
import { PathsView } from './views/PathsView';

export default function PathsPage() {
  const { t } = useI18n();
  const [anchor, setAnchor] = useState<EventSpec>({ event: '' });
  const [direction, setDirection] = useState<'starting' | 'ending'>('starting');
  const [depth, setDepth] = useState(4);
  const [gap, setGap] = useState(30);
  const page = useAnalysisPage('paths', analyticsApi.paths, (q: PathsQuery) => {
    setAnchor(q.anchor);
    setDirection(q.direction);
    setDepth(q.depth);
    setGap(q.session_gap_minutes);
  });
  const { catalogue, result } = page;
  const data = result.data;
  const run = () =>
    result.run({
      ...page.base,
      anchor: eventSpec(anchor.event, anchor.filters, catalogue.data),
      direction,
      depth,
      session_gap_minutes: gap,
      top: 20,
    });
  const ready = !!anchor.event && propertyFiltersComplete(anchor.filters);

  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      ready={ready}
      runTestId="paths-run"
      fields={
        <>
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
        </>
      }
    >
      {data && <PathsView data={data} catalogue={catalogue.data} />}
    </AnalysisLayout>
  );
}
