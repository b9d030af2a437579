import { describe, expect, it } from 'vitest';
import { activeTiers, cellOf, trendDays } from './flowMath';

describe('trendDays', () => {
  it('steps weekly and ends on the end date', () => {
    expect(trendDays('2026-11-01', '2026-11-20')).toEqual(['2026-11-01', '2026-11-08', '2026-11-15', '2026-11-20']);
  });
  it('keeps at most max days', () => {
    expect(trendDays('2025-01-01', '2026-11-20', 1, 120).length).toBeLessThanOrEqual(120);
  });
  it('is empty when start is after end', () => {
    expect(trendDays('2026-11-20', '2026-11-01')).toEqual([]);
  });
});

describe('cells', () => {
  const cells = [
    { source: 'A', target: 'B', count: 2, ratio: 0.5 },
    { source: 'X', target: 'A', count: 1, ratio: 1 },
  ];
  it('finds a cell and orders tiers by the server', () => {
    expect(cellOf(cells, 'A', 'B')?.count).toBe(2);
    expect(cellOf(cells, 'B', 'A')).toBeUndefined();
    expect(activeTiers(['B', 'A'], cells)).toEqual({ sources: ['A', 'X'], targets: ['B', 'A'] });
  });
});
