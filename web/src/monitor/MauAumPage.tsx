import { DatePicker, Select } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { analyticsApi, type MauAumQuery } from '../api/analytics';
import { orgsApi } from '../api/endpoints';
import { useAuth } from '../auth/context';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { extentApi, mauAumMonths } from '../analytics/extent';
import { Field, QueryCard, ResultCard, RunButton, useRun } from '../analytics/common';
import { useSavedAnalysis } from '../analytics/saved/useSavedAnalysis';
import { MauAumView } from '../analytics/views/MauAumView';
import { GlobalControlCard } from './effects/GlobalControlCard';
import { IncrementalCard } from './effects/IncrementalCard';

/** 运营监控 · MAU/AUM dual-track dashboard: per month and child org, traffic next to assets. */
export default function MauAumPage() {
  const { t } = useI18n();
  const { me } = useAuth();
  const orgs = useApi((signal) => orgsApi.list(signal).catch(() => ({ items: [] })), []);
  const [months, setMonths] = useState<[string, string]>(() => mauAumMonths(undefined));
  // The default months are those with data (a 90-day bank has no six full months behind it).
  const extent = useApi((signal) => extentApi.get(signal), []);
  const [parent, setParent] = useState<string>(() => me?.orgCode ?? 'HQ');
  const result = useRun(analyticsApi.mauAum);
  const data = result.data;
  const run = () => result.run({ month_from: months[0], month_to: months[1], parent_org: parent });
  const fill = (q: MauAumQuery) => {
    setMonths([q.month_from, q.month_to]);
    if (q.parent_org) setParent(q.parent_org);
  };
  const saved = useSavedAnalysis('mau-aum', fill, result.run);
  // A dashboard: numbers on open with the default months and org, not an empty card (unless a saved one opens).
  useEffect(() => {
    if (saved.loading || saved.analysis || saved.error || result.query || extent.loading) return;
    const first = mauAumMonths(extent.data);
    setMonths(first);
    result.run({ month_from: first[0], month_to: first[1], parent_org: parent });
  }, [saved.loading, extent.loading]); // eslint-disable-line react-hooks/exhaustive-deps
  const parents = useMemo(
    () => (orgs.data?.items ?? []).filter((o) => (orgs.data?.items ?? []).some((c) => c.parent_code === o.code)),
    [orgs.data],
  );
  return (
    <>
      <PageHeader title={t('mon.title')} subtitle={t('mon.subtitle')} />
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} testId="mau-run" />}>
        <Field label={t('mon.months')}>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={[dayjs(months[0]), dayjs(months[1])]}
            onChange={(r) => r && r[0] && r[1] && setMonths([r[0].startOf('month').format('YYYY-MM-DD'), r[1].startOf('month').format('YYYY-MM-DD')])}
          />
        </Field>
        <Field label={t('mon.parent')}>
          <Select
            value={parent}
            onChange={setParent}
            aria-label={t('mon.parent')}
            style={{ width: 200 }}
            showSearch
            optionFilterProp="label"
            options={(parents.length ? parents : [{ code: parent, name: parent }]).map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }))}
          />
        </Field>
      </QueryCard>
      <ResultCard
        title={t('mon.trend')}
        error={result.error}
        hasData={!!data}
        loading={result.loading}
        model="mau-aum"
        query={result.query}
        saved={saved}
      >
        {data && <MauAumView data={data} />}
      </ResultCard>
      <IncrementalCard monthFrom={months[0]} monthTo={months[1]} />
      <GlobalControlCard monthFrom={months[0]} monthTo={months[1]} />
    </>
  );
}
