import { describe, expect, it } from 'vitest';
import { coverageRows } from './identityCoverage';

describe('coverageRows', () => {
  it('lists the channels in order with a one-decimal percentage of the visible customers', () => {
    const rows = coverageRows({
      customers: 3,
      channels: [
        { channel: 'wechat', reachable: 1, share: 0.3333 },
        { channel: 'sms', reachable: 2, share: 0.6667 },
        { channel: 'fax', reachable: 3, share: 1 },
      ],
    });
    expect(rows).toEqual([
      { channel: 'sms', reachable: 2, percent: 66.7 },
      { channel: 'wechat', reachable: 1, percent: 33.3 },
    ]);
  });

  it('shows nothing reachable when the viewer sees no customer', () => {
    expect(coverageRows({ customers: 0, channels: [{ channel: 'sms', reachable: 0, share: 0 }] })).toEqual([
      { channel: 'sms', reachable: 0, percent: 0 },
    ]);
    expect(coverageRows(null)).toEqual([]);
  });
});
