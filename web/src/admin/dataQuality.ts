import type { TableQuality } from '../api/data';

export interface NullCell {
  field: string;
  percent: number; // 0..100, one decimal
}

/** The key fields a table leaves empty, worst first (fields never empty are left out). */
export function emptyFields(t: TableQuality): NullCell[] {
  return t.null_rates
    .filter((n) => n.nulls > 0)
    .map((n) => ({ field: n.field, percent: Math.round(n.share * 1000) / 10 }))
    .sort((a, b) => b.percent - a.percent || a.field.localeCompare(b.field));
}

/** The referential checks a table fails, with how many rows (checks that pass are left out). */
export function failedChecks(t: TableQuality): { check: string; rows: number }[] {
  return t.orphans.filter((o) => o.rows > 0);
}

/** A colour for an empty-field share: red from a fifth, orange from a twentieth. */
export function nullColor(percent: number): 'red' | 'orange' | 'default' {
  if (percent >= 20) return 'red';
  if (percent >= 5) return 'orange';
  return 'default';
}
