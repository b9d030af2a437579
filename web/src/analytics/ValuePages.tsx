import { InputNumber } from 'antd';
import { useEffect, useState } from 'react';
import { useApi } from '../common/useApi';
import { extentApi, ltvDefaults } from './extent';
import { analyticsApi, type LtvQuery } from '../api/analytics';
import { useI18n } from '../i18n';
import { Field } from './common';
import { AnalysisLayout, useAnalysisPage } from './page';
import { LtvView } from './views/LtvView';
import { RfmView } from './views/RfmView';

export function LtvPage() {
  const { t } = useI18n();
  const [months, setMonths] = useState(12);
  const [margin, setMargin] = useState(100);
  const page = useAnalysisPage(
    'ltv',
    analyticsApi.ltv,
    (q: LtvQuery) => {
      setMonths(q.months);
      setMargin(q.margin_bps);
    },
    365,
  );
  const { result, setRange, saved } = page;
  // Cohorts opened before the first AUM snapshot have no observed value: open on those that do.
  const extent = useApi((signal) => extentApi.get(signal), []);
  useEffect(() => {
    if (extent.loading || saved.loading || saved.analysis) return;
    const d = ltvDefaults(extent.data);
    setRange(d.range);
    setMonths(d.months);
  }, [extent.loading, saved.loading]); // eslint-disable-line react-hooks/exhaustive-deps
  const data = result.data;
  const run = () => result.run({ ...page.base, months, margin_bps: margin });
  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      runTestId="ltv-run"
      title={t('an.ltv.title')}
      fields={
        <>
          <Field label={t('an.ltv.months')}>
            <InputNumber min={1} max={36} value={months} onChange={(v) => setMonths(v ?? 12)} style={{ width: 80 }} />
          </Field>
          <Field label={t('an.ltv.margin')}>
            <InputNumber min={0} max={10000} value={margin} onChange={(v) => setMargin(v ?? 100)} suffix="bp" style={{ width: 110 }} />
          </Field>
        </>
      }
    >
      {data && result.query && <LtvView data={data} query={result.query} />}
    </AnalysisLayout>
  );
}

export function RfmPage() {
  const { t } = useI18n();
  // An RFM query has nothing beyond its dates and customer filter, which the page state restores itself.
  const page = useAnalysisPage('rfm', analyticsApi.rfm, () => undefined, 90);
  const { result } = page;
  return (
    <AnalysisLayout page={page} onRun={() => result.run(page.base)} runTestId="rfm-run" title={t('an.rfm.title')}>
      {result.data && <RfmView data={result.data} />}
    </AnalysisLayout>
  );
}
