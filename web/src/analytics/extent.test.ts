import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { ltvDefaults, mauAumMonths } from './extent';

const today = dayjs('2026-12-06');
// The demo bank: 90 days of events and AUM snapshots up to today.
const demo = { events_from: '2026-09-08', events_to: '2026-12-06', aum_from: '2026-09-08', aum_to: '2026-12-06' };

describe('defaults that have data', () => {
  it('opens MAU/AUM on the months with events', () => {
    expect(mauAumMonths(demo, today)).toEqual(['2026-09-01', '2026-12-01']);
    expect(mauAumMonths(undefined, today)).toEqual(['2026-07-01', '2026-12-01']);
    expect(mauAumMonths({ ...demo, events_from: '2025-01-01' }, today)).toEqual(['2026-07-01', '2026-12-01']);
  });

  it('opens LTV on cohorts since the first AUM snapshot, followed for the months observed', () => {
    expect(ltvDefaults(demo, today)).toEqual({ range: ['2026-09-08', '2026-12-06'], months: 3 });
    expect(ltvDefaults(undefined, today)).toEqual({ range: ['2025-12-07', '2026-12-06'], months: 12 });
  });
});
