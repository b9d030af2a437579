import type { DataEntity } from '../api/data';
import type { CsvPreview } from './dataMapping';

/** A field with fixed choices and the values the file's first rows carry that are none of them. */
export interface UnknownValues {
  field: string;
  values: string[];
}

/** Values a value map must translate (e.g. an identity kind 手机 → mobile), per mapped field with choices. */
export function unknownChoices(
  preview: CsvPreview,
  mapping: Record<string, string>,
  entity: DataEntity,
): UnknownValues[] {
  const out: UnknownValues[] = [];
  for (const f of entity.fields) {
    if (!f.choices.length) continue;
    const header = Object.keys(mapping).find((h) => mapping[h] === f.key);
    const at = header === undefined ? -1 : preview.headers.indexOf(header);
    if (at < 0) continue;
    const values = [...new Set(preview.rows.map((r) => (r[at] ?? '').trim()))].filter(
      (v) => v !== '' && !f.choices.includes(v),
    );
    if (values.length) out.push({ field: f.key, values });
  }
  return out;
}

/** The mapping's `values` part: only values given a choice, only for fields still mapped. */
export function chosenValues(
  chosen: Record<string, Record<string, string>>,
  unknown: UnknownValues[],
): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  for (const u of unknown) {
    const picks = Object.entries(chosen[u.field] ?? {}).filter(([v, c]) => c && u.values.includes(v));
    if (picks.length) out[u.field] = Object.fromEntries(picks);
  }
  return Object.keys(out).length ? out : undefined;
}
