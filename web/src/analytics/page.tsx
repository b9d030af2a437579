import { useState, type ReactNode } from 'react';
import type { AnalysisModel, QueryOf, ResultOf } from '../api/dashboards';
import type { AnalyticsCustomerFilter, Population } from '../api/analytics';
import { useAuth } from '../auth/context';
import { useI18n } from '../i18n';
import { lastDays, QueryCard, RangeField, ResultCard, RunButton, useCatalogue, useRun, type DateRange } from './common';
import { CustomerFilterField } from './filters/CustomerFilterField';
import {
  customersComplete,
  customersFromQuery,
  customersToQuery,
  NO_CUSTOMER_FILTER,
  POPULATION_MODELS,
  populationToQuery,
  seesWholeBank,
  type CustomerFilterState,
} from './filters/filters';
import { PopulationField } from './filters/PopulationField';
import { useSavedAnalysis } from './saved/useSavedAnalysis';

/** The part of a query every analysis shares: its dates (if it has any), its customer filter and population. */
interface BaseQuery {
  date_from?: string;
  date_to?: string;
  customers?: AnalyticsCustomerFilter | null;
  population?: Population;
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
  const [population, setPopulation] = useState<Population>('customers');
  // 分析人群 is offered on event models to users who see the whole bank (unidentified users have no branch).
  const wholeBank = seesWholeBank(useAuth().me);
  const populationShown = wholeBank && POPULATION_MODELS.has(model);
  const result = useRun(fetch);
  const saved = useSavedAnalysis(
    model,
    (q: QueryOf<M>) => {
      const base = q as BaseQuery;
      if (base.date_from && base.date_to) setRange([base.date_from, base.date_to]);
      setCustomers(customersFromQuery(base.customers ?? undefined));
      setPopulation(base.population ?? 'customers');
      fill(q);
    },
    result.run,
  );
  /** The dates, customer filter and population of the query to run. */
  const base = {
    date_from: range[0],
    date_to: range[1],
    customers: customersToQuery(customers),
    ...populationToQuery(model, population, wholeBank),
  };
  return { model, catalogue, range, setRange, customers, setCustomers, population, setPopulation, populationShown, result, saved, base };
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
        {page.populationShown && <PopulationField value={page.population} onChange={page.setPopulation} />}
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
