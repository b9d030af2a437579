import type { IdentityCoverage } from '../api/data';

/** The channels in the order the card lists them (the reach centre's eight, by how people are addressed). */
export const COVERAGE_CHANNELS = ['sms', 'call', 'push', 'inbox', 'placement', 'wechat', 'email', 'rm_task'] as const;

export interface CoverageRow {
  channel: string;
  reachable: number;
  percent: number; // 0..100, one decimal
}

/** Rows of the coverage card in channel order (channels the server does not know are left out). */
export function coverageRows(cov: IdentityCoverage | null | undefined): CoverageRow[] {
  if (!cov) return [];
  const by = new Map(cov.channels.map((c) => [c.channel, c]));
  return COVERAGE_CHANNELS.flatMap((ch) => {
    const c = by.get(ch);
    if (!c) return [];
    const share = cov.customers > 0 ? c.reachable / cov.customers : 0;
    return [{ channel: ch, reachable: c.reachable, percent: Math.round(share * 1000) / 10 }];
  });
}
