/** Values a filter field takes in the data (top values in the user's scope), and whether a typed value occurs. */
import { useEffect, useState } from 'react';
import { api } from '../api/client';

/** Where a field's values come from: an event's property, a transaction column or a customer attribute. */
export interface ValueSuggest {
  source: 'events' | 'transactions' | 'attribute';
  key: string;
  event?: string | null;
}

export interface FieldValues {
  values: { value: string; count: number }[];
  checked?: { value: string; count: number } | null;
  personal?: boolean;
}

const fetchValues = (s: ValueSuggest, check?: string, signal?: AbortSignal) =>
  api.get<FieldValues>('/api/analytics/values', {
    query: { source: s.source, key: s.key, event: s.event || undefined, check },
    signal,
  });

// One request per field and session: the same dropdown in ten conditions asks once.
const cache = new Map<string, Promise<FieldValues>>();
const keyOf = (s: ValueSuggest) => `${s.source}|${s.event ?? ''}|${s.key}`;

/** The top values of a field (undefined while loading, or when no field is given or it fails). */
export function useTopValues(s: ValueSuggest | undefined): FieldValues | undefined {
  const [data, setData] = useState<FieldValues>();
  const k = s ? keyOf(s) : '';
  useEffect(() => {
    if (!s) return;
    let live = true;
    let p = cache.get(k);
    if (!p) {
      p = fetchValues(s);
      cache.set(k, p);
      p.catch(() => cache.delete(k));
    }
    p.then((d) => live && setData(d)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [k]); // eslint-disable-line react-hooks/exhaustive-deps
  return s ? data : undefined;
}

/** Values of `typed` that never occur in the data (checked a moment after typing stops). */
export function useUnseen(s: ValueSuggest | undefined, top: FieldValues | undefined, typed: string[]): string[] {
  const [unseen, setUnseen] = useState<string[]>([]);
  const want = typed.filter((v) => v !== '' && !top?.values.some((x) => x.value === v));
  const sig = s && top && !top.personal ? `${keyOf(s)}|${want.join('\u0000')}` : '';
  useEffect(() => {
    if (!sig || !s || !want.length) {
      setUnseen([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      Promise.all(want.slice(0, 10).map((v) => fetchValues(s, v, ctrl.signal)))
        .then((rs) => setUnseen(rs.filter((r) => r.checked && r.checked.count === 0).map((r) => r.checked!.value)))
        .catch(() => undefined);
    }, 400);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [sig]); // eslint-disable-line react-hooks/exhaustive-deps
  return unseen;
}
