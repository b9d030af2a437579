import { describe, expect, it } from 'vitest';
import type { TableQuality } from '../api/data';
import { emptyFields, failedChecks, nullColor } from './dataQuality';

const table: TableQuality = {
  table: 'customers',
  rows: 3,
  last_load_at: null,
  latest_business_date: null,
  null_rates: [
    { field: 'name', nulls: 0, share: 0 },
    { field: 'phone', nulls: 1, share: 0.3333 },
    { field: 'email', nulls: 3, share: 1 },
    { field: 'rm_id', nulls: 1, share: 0.3333 },
  ],
  orphans: [
    { check: 'org_missing', rows: 0 },
    { check: 'rm_missing', rows: 1 },
  ],
};

describe('data quality', () => {
  it('lists the empty key fields worst first and leaves out full ones', () => {
    expect(emptyFields(table)).toEqual([
      { field: 'email', percent: 100 },
      { field: 'phone', percent: 33.3 },
      { field: 'rm_id', percent: 33.3 },
    ]);
  });

  it('lists only the referential checks that fail', () => {
    expect(failedChecks(table)).toEqual([{ check: 'rm_missing', rows: 1 }]);
  });

  it('colours a share by how bad it is', () => {
    expect([nullColor(0.5), nullColor(5), nullColor(33.3)]).toEqual(['default', 'orange', 'red']);
  });
});
