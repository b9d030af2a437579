import { useState, type ReactNode } from 'react';
import type { AnalysisModel, QueryOf, ResultOf } from '../api/dashboards';
import type { AnalyticsCustomerFilter } from '../api/analytics';
import { useI18n } from '../i18n';
import { lastDays, QueryCard, RangeField, ResultCard, RunButton, useCatalogue, useRun, type DateRange } from './common';
import { CustomerFilterField } from './filters/CustomerFilterField';
import {
  customersComplete,
  customersFromQuery,
  customersToQuery,
  NO_CUSTOMER_FILTER,
  type CustomerFilterState,
} from './filters/filters';
import { useSavedAnalysis } from './saved/useSavedAnalysis';

/** The part of a query every analysis shares: its dates (if it has any) and its customer filter. */
interface BaseQuery {
  date_from?: string;
  date_to?: string;
  customers?: AnalyticsCustomerFilter | null;
}

/**
 * What every analysis page holds: the catalogue, the date range (`days` back from today at first), the customer
 * filter, the run of the model's query and the saved analysis opened by `?saved=<id>`. `fill` puts the rest of a
 * saved query back into the page's own form; the dates and the customer filter are restored here.
 */
export function useAnalysisPage<M extends AnalysisModel>(
  model: M,
  fetch: (q: QueryOf<M>, signal: AbortSignal) => Promise<ResultOf<M>>,
  fill: (q: QueryOf<M>) => void,
  days = 30,
) {
  const catalogue = useCatalogue();
  const [range, setRange] = useState<DateRange>(() => lastDays(days));
  const [customers, setCustomers] = useState<CustomerFilterState>(NO_CUSTOMER_FILTER);
  const result = useRun(fetch);
  const saved = useSavedAnalysis(
    model,
    (q: QueryOf<M>) => {
      const base = q as BaseQuery;
      if (base.date_from && base.date_to) setRange([base.date_from, base.date_to]);
      setCustomers(customersFromQuery(base.customers ?? undefined));
      fill(q);
    },
    result.run,
  );
  /** The dates and customer filter of the query to run. */
  const base = { date_from: range[0], date_to: range[1], customers: customersToQuery(customers) };
  return { model, catalogue, range, setRange, customers, setCustomers, result, saved, base };
}

export type AnalysisPageState<M extends AnalysisModel> = ReturnType<typeof useAnalysisPage<M>>;

/**
 * The layout of an analysis page: the query card (date range unless `dated` is false, customer filter, the page's
 * own `fields`, and the run button `runTestId`, enabled when `ready` and the customer filter is complete) above the
 * result card, which shows `children` once there is a result.
 */
export function AnalysisLayout<M extends AnalysisModel>({
  page,
  onRun,
  ready = true,
  runTestId,
  fields,
  title,
  extra,
  dated = true,
  children,
}: {
  page: AnalysisPageState<M>;
  onRun: () => void;
  ready?: boolean;
  runTestId: string;
  fields?: ReactNode;
  title?: ReactNode;
  extra?: ReactNode;
  dated?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { result } = page;
  return (
    <>
      <QueryCard
        actions={<RunButton onClick={onRun} loading={result.loading} disabled={!ready || !customersComplete(page.customers)} testId={runTestId} />}
      >
        {dated && <RangeField value={page.range} onChange={page.setRange} />}
        <CustomerFilterField catalogue={page.catalogue.data} value={page.customers} onChange={page.setCustomers} />
        {fields}
      </QueryCard>
      <ResultCard
        title={title ?? t('an.result')}
        error={result.error}
        hasData={!!result.data}
        loading={result.loading}
        model={page.model}
        query={result.query}
        saved={page.saved}
        extra={extra}
      >
        {children}
      </ResultCard>
    </>
  );
}
