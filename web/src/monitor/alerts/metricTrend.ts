import dayjs from 'dayjs';
import type { AnalyticsCustomerFilter, TrendsQuery } from '../../api/analytics';
import type { MetricRead } from '../../api/monitor';

/**
 * A metric of the library as a 事件分析 (trends) query: its event, filters, measure and customers, day by day over
 * the `days` bank days ending `today` — what "pin this metric to a dashboard" saves.
 */
export function metricTrendQuery(metric: MetricRead, today: string, days = 30): TrendsQuery {
  const d = metric.definition;
  return {
    date_from: dayjs(today).subtract(days - 1, 'day').format('YYYY-MM-DD'),
    date_to: today,
    series: [{ event: d.event?.event ?? '', filters: d.event?.filters ?? [], measure: d.measure, property: d.property ?? null }],
    granularity: 'day',
    compare_previous: false,
    ...(d.customers ? { customers: d.customers as unknown as AnalyticsCustomerFilter } : {}),
  };
}
