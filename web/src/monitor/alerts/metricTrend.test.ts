import { describe, expect, it } from 'vitest';
import type { MetricRead } from '../../api/monitor';
import { metricTrendQuery } from './metricTrend';

const metric: MetricRead = {
  id: 3,
  key: 'fund.amount',
  name: '基金申购金额',
  owner_org: 'HQ',
  created_by: 'analyst',
  created_at: '2026-11-01T00:00:00Z',
  definition: {
    event: { event: 'fund_purchase', filters: [{ property: 'channel', op: 'eq', value: 'app' }] },
    measure: 'sum',
    property: 'amount',
    days: 1,
    customers: { attributes: [{ attribute: 'province', op: 'eq', value: '广东省' }], tags: [], segment_ids: [] },
  },
};

describe('metricTrendQuery', () => {
  it('draws the metric day by day over the last 30 days ending today', () => {
    const q = metricTrendQuery(metric, '2026-11-22');
    expect([q.date_from, q.date_to, q.granularity]).toEqual(['2026-10-24', '2026-11-22', 'day']);
    expect(q.series).toEqual([
      { event: 'fund_purchase', filters: [{ property: 'channel', op: 'eq', value: 'app' }], measure: 'sum', property: 'amount' },
    ]);
  });

  it('keeps the metric customers and leaves them out when it has none', () => {
    expect(metricTrendQuery(metric, '2026-11-22').customers?.attributes[0].value).toBe('广东省');
    const plain = { ...metric, definition: { ...metric.definition, customers: undefined } };
    expect('customers' in metricTrendQuery(plain, '2026-11-22', 7)).toBe(false);
    expect(metricTrendQuery(plain, '2026-11-22', 7).date_from).toBe('2026-11-16');
  });
});
