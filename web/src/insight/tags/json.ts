/** A copy of a JSON value without null fields and empty lists, so a rule reads as what was set. */
export function compactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compactJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = compactJson(v);
    }
    return out;
  }
  return value;
}
